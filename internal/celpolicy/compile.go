package celpolicy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	celtypes "github.com/google/cel-go/common/types"
	admv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// program is a compiled policy: its match conditions, validations and
// message expressions, compiled the way kube-apiserver's
// ValidatingAdmissionPolicy plugin compiles them (compilePolicy in
// k8s.io/apiserver/pkg/admission/plugin/policy/validating/plugin.go, which
// is not exported): one composited compiler on the base environment of the
// server's compatibility version, variables compiled first, every
// expression in the stored-expressions environment, message expressions
// without the authorizer.
type program struct {
	matcher     matchconditions.Matcher
	validations plugincel.ConditionEvaluator
	// messages is nil when no validation has a messageExpression.
	messages      plugincel.ConditionEvaluator
	conditions    []*validating.ValidationCondition
	compileErr    error
	failurePolicy admv1.FailurePolicyType
}

func compileRuntime(vap *admv1.ValidatingAdmissionPolicy) *program {
	p := &program{failurePolicy: admv1.Fail}
	if vap.Spec.FailurePolicy != nil {
		p.failurePolicy = *vap.Spec.FailurePolicy
	}
	hasParam := vap.Spec.ParamKind != nil
	optionalVars := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: true}
	messageVars := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: false}
	compiler, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		p.compileErr = err
		return p
	}
	variables := make([]plugincel.NamedExpressionAccessor, len(vap.Spec.Variables))
	for i, v := range vap.Spec.Variables {
		variables[i] = &validating.Variable{Name: v.Name, Expression: v.Expression}
	}
	compiler.CompileAndStoreVariables(variables, optionalVars, environment.StoredExpressions)
	if mcs := vap.Spec.MatchConditions; len(mcs) > 0 {
		accessors := make([]plugincel.ExpressionAccessor, len(mcs))
		for i := range mcs {
			accessors[i] = (*matchconditions.MatchCondition)(&mcs[i])
		}
		p.matcher = matchconditions.NewMatcher(compiler.CompileCondition(accessors, optionalVars, environment.StoredExpressions), &p.failurePolicy, "policy", "validate", vap.Name)
	}
	validations := make([]plugincel.ExpressionAccessor, len(vap.Spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(vap.Spec.Validations))
	anyMessage := false
	for i, v := range vap.Spec.Validations {
		c := &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		p.conditions = append(p.conditions, c)
		validations[i] = c
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
			anyMessage = true
		}
	}
	p.validations = compiler.CompileCondition(validations, optionalVars, environment.StoredExpressions)
	if anyMessage {
		p.messages = compiler.CompileCondition(messages, messageVars, environment.StoredExpressions)
	}
	return p
}

// decision is one validation's outcome.
type decision struct {
	deny    bool
	isError bool // the evaluation failed (counts as a denial with failurePolicy Fail)
	message string
}

// validate decides like validating's validator.Validate does for one
// request, from the same compiled expressions, with the same messages: the
// message expression's result (trimmed, single-line, at most
// MaxEvaluatedMessageExpressionSizeBytes), else the message, else "failed
// expression: <expression>"; an evaluation error as the error's text. It
// skips what the server computes and drops for these policies (message
// expressions when there are none, audit annotations), so a rule costs one
// activation per object instead of two. It returns nil when the match
// conditions do not match.
func (p *program) validate(ctx context.Context, gvr schema.GroupVersionResource, va *admission.VersionedAttributes, params runtime.Object) []decision {
	failed := func(msg string) []decision {
		return []decision{{deny: p.failurePolicy != admv1.Ignore, isError: true, message: msg}}
	}
	if p.compileErr != nil {
		return failed(p.compileErr.Error())
	}
	if p.matcher != nil {
		m := p.matcher.Match(ctx, va, params, nil)
		if m.Error != nil {
			return failed(m.Error.Error())
		}
		if !m.Matches {
			return nil
		}
	}
	vars := plugincel.OptionalVariableBindings{VersionedParams: params}
	request := plugincel.CreateAdmissionRequest(va.Attributes, metav1.GroupVersionResource(gvr), metav1.GroupVersionKind(va.VersionedKind))
	ns := plugincel.CreateNamespaceObject(nil)
	results, remaining, err := p.validations.ForInput(ctx, va, request, vars, ns, celconfig.RuntimeCELCostBudget)
	if err != nil {
		return failed(err.Error())
	}
	var messages []plugincel.EvaluationResult
	var messageErr error
	if p.messages != nil {
		messages, _, messageErr = p.messages.ForInput(ctx, va, request, vars, ns, remaining)
	}
	out := make([]decision, len(results))
	for i, r := range results {
		cond := p.conditions[i]
		switch {
		case r.Error != nil:
			out[i] = decision{deny: p.failurePolicy != admv1.Ignore, isError: true, message: r.Error.Error()}
		case errors.Is(messageErr, apiservercel.ErrInternal) || errors.Is(messageErr, apiservercel.ErrOutOfBudget):
			out[i] = decision{deny: p.failurePolicy != admv1.Ignore, isError: true, message: fmt.Sprintf("failed messageExpression: %s", messageErr)}
		case r.EvalResult != celtypes.True:
			var m *plugincel.EvaluationResult
			if i < len(messages) {
				m = &messages[i]
			}
			out[i] = decision{deny: true, message: denyMessage(cond, m)}
		}
	}
	return out
}

// denyMessage is the message of a failed validation.
func denyMessage(cond *validating.ValidationCondition, m *plugincel.EvaluationResult) string {
	var message string
	if m != nil && m.Error == nil && m.EvalResult != nil {
		if s, ok := m.EvalResult.Value().(string); ok {
			message = strings.TrimSpace(s)
			if len(message) > celconfig.MaxEvaluatedMessageExpressionSizeBytes || strings.ContainsAny(message, "\n") {
				message = ""
			}
		}
	}
	if message == "" {
		message = strings.TrimSpace(cond.Message)
	}
	if message == "" {
		message = fmt.Sprintf("failed expression: %v", strings.TrimSpace(cond.Expression))
	}
	return message
}
