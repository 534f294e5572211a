package celpolicy

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	admv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
	"k8s.io/apiserver/pkg/cel/openapi"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/validation/spec"
	generatedopenapi "k8s.io/kubernetes/pkg/generated/openapi"
)

// schemaResolver types built-in kinds from the OpenAPI definitions compiled
// into Kubernetes, through the same resolver kube-controller-manager's
// ValidatingAdmissionPolicy type checker uses. One difference: a field whose
// schema has no type but a oneOf (resource quantities such as
// resources.limits) is typed dyn instead of being dropped, so
// quantity(c.resources.limits.memory) checks as it evaluates, where the
// cluster's checker would call limits an undefined field.
type schemaResolver struct {
	once  sync.Once
	defs  *resolver.DefinitionsSchemaResolver
	mu    sync.Mutex
	cache map[schema.GroupVersionKind]*spec.Schema
}

func (s *schemaResolver) ResolveSchema(gvk schema.GroupVersionKind) (*spec.Schema, error) {
	s.once.Do(func() {
		s.defs = resolver.NewDefinitionsSchemaResolver(generatedopenapi.GetOpenAPIDefinitions, scheme.Scheme)
		s.cache = map[schema.GroupVersionKind]*spec.Schema{}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc, ok := s.cache[gvk]; ok {
		return sc, nil
	}
	sc, err := s.defs.ResolveSchema(gvk)
	if err != nil {
		return nil, err
	}
	sc = typeUntyped(sc)
	s.cache[gvk] = sc
	return sc, nil
}

// typeUntyped returns sc with every untyped oneOf/anyOf schema marked
// x-kubernetes-int-or-string (which CEL types as dyn), copying only what
// changes: the resolved schemas share nodes with the definitions.
func typeUntyped(sc *spec.Schema) *spec.Schema {
	out := *sc
	changed := false
	if len(sc.Type) == 0 && (len(sc.OneOf) > 0 || len(sc.AnyOf) > 0) {
		if v, _ := sc.Extensions["x-kubernetes-int-or-string"].(bool); !v {
			out.Extensions = maps.Clone(sc.Extensions)
			if out.Extensions == nil {
				out.Extensions = spec.Extensions{}
			}
			out.Extensions["x-kubernetes-int-or-string"] = true
			changed = true
		}
	}
	var props map[string]spec.Schema
	for name, p := range sc.Properties {
		if fixed := typeUntyped(&p); fixed != &p {
			if props == nil {
				props = maps.Clone(sc.Properties)
			}
			props[name] = *fixed
		}
	}
	if props != nil {
		out.Properties, changed = props, true
	}
	if ap := sc.AdditionalProperties; ap != nil && ap.Schema != nil {
		if fixed := typeUntyped(ap.Schema); fixed != ap.Schema {
			nap := *ap
			nap.Schema = fixed
			out.AdditionalProperties, changed = &nap, true
		}
	}
	if it := sc.Items; it != nil && it.Schema != nil {
		if fixed := typeUntyped(it.Schema); fixed != it.Schema {
			nit := *it
			nit.Schema = fixed
			out.Items, changed = &nit, true
		}
	}
	if !changed {
		return sc
	}
	return &out
}

// typeEnvs builds, once per kind, the environment kube-controller-manager's
// type checker compiles a policy in (buildEnvSet in
// k8s.io/apiserver/pkg/admission/plugin/policy/validating/typechecking.go):
// object and oldObject typed from the kind's schema, request and
// namespaceObject typed as the admission plugin declares them, params
// untyped, the authorizer. The checker itself rebuilds it for every
// expression; shared here, checking the shipped policies takes a fraction
// of the time.
type typeEnvs struct {
	schemas *schemaResolver
	mu      sync.Mutex
	cache   map[typeEnvKey]*environment.EnvSet
}

type typeEnvKey struct {
	gvk    schema.GroupVersionKind
	params string // "" = no params; else what types them
}

// paramsType is how a policy's params are typed: from its inline values
// (as the exported PolicyParameters CRD types them), from the schema of
// its paramKind, or not at all (dyn). key names it for the cache.
func (t *typeEnvs) paramsType(p *Policy) (key string, dt *apiservercel.DeclType) {
	switch {
	case p.Params != nil:
		root := map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": paramsSchema(jsonCopy(p.Params))}
		data, err := json.Marshal(root)
		var sc spec.Schema
		if err != nil || json.Unmarshal(data, &sc) != nil {
			return "dyn", nil
		}
		return string(data), common.SchemaDeclType(&openapi.Schema{Schema: &sc}, true)
	case p.ParamKind != nil:
		gv, err := schema.ParseGroupVersion(p.ParamKind.APIVersion)
		if err != nil {
			return "dyn", nil
		}
		sc, err := t.schemas.ResolveSchema(gv.WithKind(p.ParamKind.Kind))
		if err != nil {
			return "dyn", nil
		}
		return p.ParamKind.APIVersion + " " + p.ParamKind.Kind, common.SchemaDeclType(&openapi.Schema{Schema: sc}, true)
	}
	return "", nil
}

func (t *typeEnvs) get(gvk schema.GroupVersionKind, p *Policy) (*environment.EnvSet, error) {
	pkey, ptype := t.paramsType(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	key := typeEnvKey{gvk, pkey}
	if env, ok := t.cache[key]; ok {
		return env, nil
	}
	sc, err := t.schemas.ResolveSchema(gvk)
	if err != nil {
		return nil, err
	}
	object := common.SchemaDeclType(&openapi.Schema{Schema: sc}, true)
	if object == nil {
		return nil, fmt.Errorf("no CEL type for %s", kindName(gvk))
	}
	object = object.MaybeAssignTypeName(strings.NewReplacer(".", "_", "/", "_").Replace(gvk.Group + "_" + gvk.Version + "_" + gvk.Kind))
	request, namespace := plugincel.BuildRequestType(), plugincel.BuildNamespaceType()
	opts := []cel.EnvOption{
		cel.Variable(plugincel.NamespaceVarName, namespace.CelType()),
		cel.Variable(plugincel.RequestVarName, request.CelType()),
		cel.Variable(plugincel.ObjectVarName, object.CelType()),
		cel.Variable(plugincel.OldObjectVarName, object.CelType()),
		cel.Variable(plugincel.AuthorizerVarName, library.AuthorizerType),
	}
	decls := []*apiservercel.DeclType{namespace, request, object}
	switch {
	case ptype != nil:
		ptype = ptype.MaybeAssignTypeName("params_" + strings.NewReplacer(".", "_", "/", "_").Replace(gvk.Group+"_"+gvk.Kind) + fmt.Sprintf("_%d", len(t.cache)))
		opts = append(opts, cel.Variable(plugincel.ParamsVarName, ptype.CelType()))
		decls = append(decls, ptype)
	case pkey != "":
		opts = append(opts, cel.Variable(plugincel.ParamsVarName, cel.DynType))
	}
	env, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions:        opts,
		DeclTypes:         decls,
	})
	if err != nil {
		return nil, err
	}
	if t.cache == nil {
		t.cache = map[typeEnvKey]*environment.EnvSet{}
	}
	t.cache[key] = env
	return env, nil
}

// typedCompiler compiles without insisting on a result type, like the
// type checker's compiler: only the typing of what is read matters here.
// Parsing does not depend on the kind, so each expression is parsed once
// and only checked per kind.
type typedCompiler struct {
	composited *plugincel.CompositedCompiler
	parsed     map[string]*cel.Ast
}

func (c *typedCompiler) CompileCELExpression(e plugincel.ExpressionAccessor, _ plugincel.OptionalVariableDeclarations, mode environment.Type) plugincel.CompilationResult {
	fail := func(t apiservercel.ErrorType, detail string) plugincel.CompilationResult {
		return plugincel.CompilationResult{Error: &apiservercel.Error{Type: t, Detail: detail}, ExpressionAccessor: e}
	}
	env, err := c.composited.Env(mode)
	if err != nil {
		return fail(apiservercel.ErrorTypeInternal, err.Error())
	}
	parsed, ok := c.parsed[e.GetExpression()]
	if !ok {
		var iss *cel.Issues
		if parsed, iss = env.Parse(e.GetExpression()); iss.Err() != nil {
			return fail(apiservercel.ErrorTypeInvalid, iss.String())
		}
		c.parsed[e.GetExpression()] = parsed
	}
	ast, iss := env.Check(parsed)
	if iss.Err() != nil {
		return fail(apiservercel.ErrorTypeInvalid, iss.String())
	}
	return plugincel.CompilationResult{OutputType: ast.OutputType(), ExpressionAccessor: e}
}

type expr struct {
	rule *Rule // nil for the policy's variables and matchConditions
	path string
	text string
}

// typeCheck type-checks a policy's expressions against the schema of every
// kind its resourceRules name (up to ten, as the API server does). An issue
// that every one of those kinds has (a field none of them has, most often a
// typo) is an error here, where the cluster would only record a warning in
// the policy's status and fail at admission time. An issue only some kinds
// have is how a rule over several kinds reads a field one of them has
// (has(object.spec.template) ? ... : ...), and is left alone.
func (p *Policy) typeCheck(envs *typeEnvs, kinds []schema.GroupVersionKind) []*Error {
	if len(kinds) == 0 || len(p.Rules) == 0 {
		return nil
	}
	var exprs []expr
	for i, v := range p.Variables {
		exprs = append(exprs, expr{path: fmt.Sprintf("spec.variables[%d].expression", i), text: v.Expression})
	}
	for i, m := range p.MatchConditions {
		exprs = append(exprs, expr{path: fmt.Sprintf("spec.matchConditions[%d].expression", i), text: m.Expression})
	}
	for _, r := range p.Rules {
		exprs = append(exprs, expr{rule: r, path: "spec.validations[0].expression", text: r.Validation.Expression})
		if strings.TrimSpace(r.Validation.MessageExpression) != "" {
			exprs = append(exprs, expr{rule: r, path: "spec.validations[0].messageExpression", text: r.Validation.MessageExpression})
		}
	}
	opts := plugincel.OptionalVariableDeclarations{HasParams: p.Params != nil || p.ParamKind != nil, HasAuthorizer: true}
	// common[i]: the issues expression i has in every kind so far.
	common := make([][]celIssue, len(exprs))
	parsed := map[string]*cel.Ast{}
	for k, gvk := range kinds {
		env, err := envs.get(gvk, p)
		if err != nil {
			return []*Error{{Pos: p.Pos, Msg: fmt.Sprintf("policy %s: type checking against %s: %v", p.Name, kindName(gvk), err)}}
		}
		compiler, err := plugincel.NewCompositedCompilerForTypeChecking(env)
		if err != nil {
			return []*Error{{Pos: p.Pos, Msg: fmt.Sprintf("policy %s: %v", p.Name, err)}}
		}
		compiler.Compiler = &typedCompiler{composited: compiler, parsed: parsed}
		for i, e := range exprs {
			var res plugincel.CompilationResult
			if i < len(p.Variables) {
				res = compiler.CompileAndStoreVariable(&validating.Variable{Name: p.Variables[i].Name, Expression: e.text}, opts, environment.StoredExpressions)
			} else {
				res = compiler.CompileCELExpression(&validating.ValidationCondition{Expression: e.text}, opts, environment.StoredExpressions)
			}
			var found []celIssue
			if res.Error != nil {
				found = parseIssues(res.Error.Detail)
			}
			if k == 0 {
				common[i] = found
			} else {
				common[i] = slices.DeleteFunc(common[i], func(is celIssue) bool { return !slices.Contains(found, is) })
			}
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = kindName(k)
	}
	typedAs := "typed as " + names[0]
	if len(kinds) > 1 {
		typedAs = "in every kind it matches: " + strings.Join(names, ", ")
	}
	var out []*Error
	for i, e := range exprs {
		r := e.rule
		if r == nil {
			r = p.Rules[0]
		}
		for _, is := range common[i] {
			err := r.errorAt(e.path, fmt.Sprintf("ERROR: <input>:%d:%d: %s", is.line, is.col, is.msg))
			if e.rule == nil {
				err.Msg = "policy " + p.Name + strings.TrimPrefix(err.Msg, "rule "+r.ID)
			}
			err.Msg += " (" + typedAs + ")"
			out = append(out, err)
		}
	}
	return out
}

type celIssue struct {
	line, col int
	msg       string
}

var issueRE = regexp.MustCompile(`(?m)^ERROR: <input>:(\d+):(\d+): (.*)$`)

// parseIssues splits cel-go's issue report into its issues.
func parseIssues(text string) []celIssue {
	var out []celIssue
	for _, m := range issueRE.FindAllStringSubmatch(text, -1) {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		out = append(out, celIssue{line: line, col: col, msg: m[3]})
	}
	return out
}

// checkedKinds are the kinds the type checker types a policy against: what
// its resourceRules name without wildcards, resolved through the offline
// RESTMapper, at most ten, and only those with a schema.
func checkedKinds(vap *admv1.ValidatingAdmissionPolicy, mapper meta.RESTMapper, sr *schemaResolver) []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	if vap.Spec.MatchConstraints == nil {
		return nil
	}
	for _, rule := range vap.Spec.MatchConstraints.ResourceRules {
		if hasWildcard(rule.APIGroups) || hasWildcard(rule.APIVersions) {
			continue
		}
		for _, g := range rule.APIGroups {
			for _, v := range rule.APIVersions {
				for _, res := range rule.Resources {
					if strings.ContainsAny(res, "*/") {
						continue
					}
					gvks, err := mapper.KindsFor(schema.GroupVersionResource{Group: g, Version: v, Resource: res})
					if err != nil {
						continue
					}
					for _, gvk := range gvks {
						if len(out) == 10 {
							return out
						}
						if _, err := sr.ResolveSchema(gvk); err == nil && !slices.Contains(out, gvk) {
							out = append(out, gvk)
						}
					}
				}
			}
		}
	}
	return out
}

func hasWildcard(list []string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, "*") })
}

func kindName(gvk schema.GroupVersionKind) string {
	if gvk.Group == "" {
		return gvk.Version + " " + gvk.Kind
	}
	return gvk.Group + "/" + gvk.Version + " " + gvk.Kind
}

// celIssues shortens cel-go's multi-line issue report to its messages: the
// position is already in the error's file:line:col.
func celIssues(msg string) string {
	var parts []string
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "|") || line == "" {
			continue
		}
		if i := strings.Index(line, "ERROR: <input>:"); i >= 0 {
			prefix := line[:i]
			rest := line[i+len("ERROR: <input>:"):]
			// drop "L:C: "
			if j := strings.Index(rest, ": "); j >= 0 {
				rest = rest[j+2:]
			}
			line = prefix + rest
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "; ")
}
