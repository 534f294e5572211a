package celpolicy

import (
	"fmt"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
)

// costEnv declares every variable a ValidatingAdmissionPolicy expression
// may use, untyped where the API server's runtime is, on the base
// environment and cost options of kube-apiserver 1.37.
type costEnv struct {
	once sync.Once
	env  *cel.Env
	err  error
}

func (c *costEnv) get() (*cel.Env, error) {
	c.once.Do(func() {
		base := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
		request, namespace := plugincel.BuildRequestType(), plugincel.BuildNamespaceType()
		set, err := base.Extend(environment.VersionedOptions{
			IntroducedVersion: version.MajorMinor(1, 0),
			EnvOptions: []cel.EnvOption{
				cel.Variable(plugincel.ObjectVarName, cel.DynType),
				cel.Variable(plugincel.OldObjectVarName, cel.DynType),
				cel.Variable(plugincel.ParamsVarName, cel.DynType),
				cel.Variable(plugincel.VariableVarName, cel.MapType(cel.StringType, cel.DynType)),
				cel.Variable(plugincel.NamespaceVarName, namespace.CelType()),
				cel.Variable(plugincel.RequestVarName, request.CelType()),
				cel.Variable(plugincel.AuthorizerVarName, library.AuthorizerType),
				cel.Variable(plugincel.RequestResourceAuthorizerVarName, library.ResourceCheckType),
			},
			DeclTypes: []*apiservercel.DeclType{namespace, request},
		}, environment.StrictCostOpt)
		if err != nil {
			c.err = err
			return
		}
		c.env, c.err = set.Env(environment.StoredExpressions)
	})
	return c.env, c.err
}

// costCheck finds expressions that cannot run within kube-apiserver's
// per-expression cost limit on any object at all: their estimated minimum
// cost is already over it, so in the cluster they would fail (and, with
// failurePolicy Fail, deny) every request they see. Costs that depend on the
// object's size are left to evaluation, which enforces the same per-call
// limit and per-binding budget as the API server.
func (r *Rule) costCheck(ce *costEnv) []*Error {
	env, err := ce.get()
	if err != nil {
		return []*Error{{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: CEL environment: %v", r.ID, err)}}
	}
	var out []*Error
	check := func(path, expr string) {
		if strings.TrimSpace(expr) == "" {
			return
		}
		ast, iss := env.Compile(expr)
		if iss.Err() != nil {
			return // a compile error is reported by the API server's validation
		}
		est, err := env.EstimateCost(ast, &library.CostEstimator{})
		if err != nil || est.Min <= celconfig.PerCallLimit {
			return
		}
		out = append(out, r.errorAt(path, fmt.Sprintf(
			"cost over budget: the expression costs at least %d on any object, more than the per-expression limit of %d that kube-apiserver enforces, so it would fail on every request",
			est.Min, celconfig.PerCallLimit)))
	}
	for i, v := range r.Policy.Variables {
		check(fmt.Sprintf("spec.variables[%d].expression", i), v.Expression)
	}
	for i, m := range r.Policy.MatchConditions {
		check(fmt.Sprintf("spec.matchConditions[%d].expression", i), m.Expression)
	}
	check("spec.validations[0].expression", r.Validation.Expression)
	check("spec.validations[0].messageExpression", r.Validation.MessageExpression)
	return out
}
