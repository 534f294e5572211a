package celpolicy

import (
	"slices"
	"strconv"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
)

// reads is what an expression looks at, found in its parsed (macro-expanded)
// syntax tree.
type reads struct {
	namespaceObject, authorizer, userInfo, options bool
	// paramsObject: params is read other than as params.<field> for a
	// field other than metadata, so the name of the parameters object
	// (one per rule in the cluster) may matter.
	paramsObject bool
	// paths are the object fields read (object.spec.x → [spec x]); "*"
	// stands for the items of a list a comprehension walks.
	paths [][]string
}

func (r *reads) merge(o reads) {
	r.namespaceObject = r.namespaceObject || o.namespaceObject
	r.authorizer = r.authorizer || o.authorizer
	r.userInfo = r.userInfo || o.userInfo
	r.options = r.options || o.options
	r.paramsObject = r.paramsObject || o.paramsObject
	r.paths = append(r.paths, o.paths...)
}

// candidates are the paths a finding may go to, deepest first; which one
// fits is decided on the object (a rule over Pods and Deployments reads
// spec.containers or spec.template.spec.containers).
func (r *reads) candidates() [][]string {
	out := slices.Clone(r.paths)
	slices.SortStableFunc(out, func(a, b []string) int { return len(b) - len(a) })
	return slices.CompactFunc(out, slices.Equal)
}

// analyze parses expr and reports what it reads. varPaths gives the object
// paths a variable stands for, so variables.containers.all(c, c.image...)
// still points at the containers; varReads what each variable reads, which
// an expression using the variable reads too. A parse error reads nothing (compiling
// reports it).
func analyze(env *cel.Env, expr string, varPaths, varReads map[string][][]string) reads {
	var out reads
	if expr == "" {
		return out
	}
	ast, iss := env.Parse(expr)
	if iss.Err() != nil {
		return out
	}
	w := walker{vars: varPaths, varReads: varReads, out: &out}
	w.walk(ast.NativeRep().Expr(), map[string][][]string{})
	return out
}

// rootPaths are the object paths an expression's value comes from
// (object.spec.template.spec.containers, or the list a filter keeps part
// of), else nil.
func rootPaths(env *cel.Env, expr string, varPaths map[string][][]string) [][]string {
	ast, iss := env.Parse(expr)
	if iss.Err() != nil {
		return nil
	}
	w := walker{vars: varPaths, out: &reads{}}
	return w.pathOf(ast.NativeRep().Expr(), map[string][][]string{})
}

type walker struct {
	// vars are the object paths a variable's value comes from, varReads
	// the fields its expression reads.
	vars, varReads map[string][][]string
	out            *reads
}

func (w walker) walk(e celast.Expr, iter map[string][][]string) {
	switch e.Kind() {
	case celast.IdentKind:
		switch e.AsIdent() {
		case "namespaceObject":
			w.out.namespaceObject = true
		case "authorizer":
			w.out.authorizer = true
		case "params":
			w.out.paramsObject = true
		}
		w.out.paths = append(w.out.paths, iter[e.AsIdent()]...)
	case celast.SelectKind:
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == "request" {
			switch sel.FieldName() {
			case "userInfo":
				w.out.userInfo = true
			case "options":
				w.out.options = true
			}
		}
		if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == "variables" {
			w.out.paths = append(w.out.paths, w.varReads[sel.FieldName()]...)
		}
		w.out.paths = append(w.out.paths, w.pathOf(e, iter)...)
		if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == "params" && sel.FieldName() != "metadata" {
			break // a parameter, the same whichever rule's object holds it
		}
		w.walk(sel.Operand(), iter)
	case celast.CallKind:
		call := e.AsCall()
		if call.FunctionName() == "_[_]" {
			w.out.paths = append(w.out.paths, w.pathOf(e, iter)...)
		}
		if call.IsMemberFunction() {
			w.walk(call.Target(), iter)
		}
		for _, a := range call.Args() {
			w.walk(a, iter)
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		w.walk(c.IterRange(), iter)
		inner := make(map[string][][]string, len(iter)+1)
		for k, v := range iter {
			inner[k] = v
		}
		delete(inner, c.IterVar())
		if !c.HasIterVar2() {
			for _, p := range w.pathOf(c.IterRange(), iter) {
				inner[c.IterVar()] = append(inner[c.IterVar()], append(slices.Clone(p), "*"))
			}
		}
		w.walk(c.AccuInit(), inner)
		w.walk(c.LoopCondition(), inner)
		w.walk(c.LoopStep(), inner)
		w.walk(c.Result(), inner)
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.walk(el, iter)
		}
	case celast.MapKind:
		for _, ent := range e.AsMap().Entries() {
			me := ent.AsMapEntry()
			w.walk(me.Key(), iter)
			w.walk(me.Value(), iter)
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			w.walk(f.AsStructField().Value(), iter)
		}
	}
}

// pathOf returns the object paths e may denote, or nil.
func (w walker) pathOf(e celast.Expr, iter map[string][][]string) [][]string {
	extend := func(bases [][]string, seg string) [][]string {
		out := make([][]string, 0, len(bases))
		for _, b := range bases {
			out = append(out, append(slices.Clone(b), seg))
		}
		return out
	}
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		if name == "object" {
			return [][]string{{}}
		}
		return iter[name]
	case celast.SelectKind:
		sel := e.AsSelect()
		op := sel.Operand()
		if op.Kind() == celast.IdentKind && op.AsIdent() == "variables" {
			return w.vars[sel.FieldName()]
		}
		return extend(w.pathOf(op, iter), sel.FieldName())
	case celast.ComprehensionKind:
		// filter and map keep (part of) the list they walk
		return w.pathOf(e.AsComprehension().IterRange(), iter)
	case celast.CallKind:
		call := e.AsCall()
		args := call.Args()
		switch {
		case call.FunctionName() == "_?_:_" && len(args) == 3:
			return append(w.pathOf(args[1], iter), w.pathOf(args[2], iter)...)
		case call.FunctionName() == "_+_" && len(args) == 2:
			// containers + initContainers: items of either list
			return append(w.pathOf(args[0], iter), w.pathOf(args[1], iter)...)
		case call.FunctionName() == "_[_]" && len(args) == 2 && args[1].Kind() == celast.LiteralKind:
			switch v := args[1].AsLiteral().(type) {
			case types.String:
				return extend(w.pathOf(args[0], iter), string(v))
			case types.Int:
				return extend(w.pathOf(args[0], iter), strconv.FormatInt(int64(v), 10))
			}
		}
	}
	return nil
}
