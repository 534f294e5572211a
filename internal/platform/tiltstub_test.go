package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"sigs.k8s.io/yaml"
)

// This file is a stand-in for Tilt (which cannot be installed here): it
// executes a Tiltfile with go.starlark.net and builtins that record their
// calls instead of acting. Each builtin checks its arguments against Tilt's
// real parameter names, so a misspelt keyword fails here as it would in Tilt.

// tiltCall is one recorded builtin call, arguments keyed by parameter name.
type tiltCall struct {
	Fn   string
	Args map[string]any
	Pos  string
}

// tiltRun is the outcome of executing a Tiltfile.
type tiltRun struct {
	root    string            // the Tiltfile's directory: relative paths resolve here
	flags   map[string]string // `tilt up -- --name=value`
	calls   []tiltCall
	prints  []string
	warns   []string
	refs    []string // every path the Tiltfile read or handed to Tilt
	objects []Object // everything passed to k8s_yaml
}

// blob mirrors Tilt's Blob: YAML text returned by kustomize() / read_file().
type blob struct{ text string }

func (b blob) String() string        { return b.text }
func (b blob) Type() string          { return "blob" }
func (b blob) Freeze()               {}
func (b blob) Truth() starlark.Bool  { return b.text != "" }
func (b blob) Hash() (uint32, error) { return starlark.String(b.text).Hash() }

// Tilt's parameters per builtin ("name?" = optional), from the Tiltfile API
// reference (tilt-dev/tilt internal/tiltfile/api/*.py).
var tiltParams = map[string][]string{
	"allow_k8s_contexts": {"contexts"},
	"k8s_yaml":           {"yaml", "allow_duplicates?"},
	"kustomize":          {"pathToDir", "kustomize_bin?", "flags?"},
	"local_resource": {"name", "cmd", "deps?", "trigger_mode?", "resource_deps?", "ignore?", "auto_init?",
		"serve_cmd?", "cmd_bat?", "serve_cmd_bat?", "allow_parallel?", "links?", "labels?", "env?", "serve_env?",
		"readiness_probe?", "dir?", "serve_dir?"},
	"docker_build": {"ref", "context", "build_args?", "dockerfile?", "dockerfile_contents?", "live_update?",
		"match_in_env_vars?", "ignore?", "only?", "entrypoint?", "target?", "ssh?", "network?", "secret?",
		"extra_tag?", "container_args?", "cache_from?", "pull?", "platform?", "extra_hosts?"},
	"k8s_resource": {"workload?", "new_name?", "port_forwards?", "extra_pod_selectors?", "trigger_mode?",
		"resource_deps?", "objects?", "auto_init?", "pod_readiness?", "links?", "labels?", "discovery_strategy?"},
	"port_forward":                 {"local_port", "container_port?", "name?", "link_path?", "host?"},
	"link":                         {"url", "name?"},
	"warn":                         {"msg"},
	"read_file":                    {"file_path", "default?"},
	"listdir":                      {"directory", "recursive?"},
	"local":                        {"command", "quiet?", "command_bat?", "echo_off?", "env?", "dir?", "stdin?"},
	"config.define_string":         {"name", "args?", "usage?"},
	"config.define_bool":           {"name", "args?", "usage?"},
	"config.define_string_list":    {"name", "args?", "usage?"},
	"config.parse":                 {},
	"config.set_enabled_resources": {"resources"},
	"os.path.exists":               {"path"},
	"os.path.abspath":              {"path"},
	"os.path.basename":             {"path"},
	"os.path.dirname":              {"path"},
	"os.getcwd":                    {},
}

// runTiltfile executes root/Tiltfile with flags as `tilt up -- --k=v` would.
func runTiltfile(t *testing.T, root string, flags map[string]string) (*tiltRun, error) {
	t.Helper()
	r := &tiltRun{root: root, flags: flags}
	src, err := os.ReadFile(filepath.Join(root, "Tiltfile"))
	if err != nil {
		return nil, err
	}
	thread := &starlark.Thread{
		Name:  "Tiltfile",
		Print: func(_ *starlark.Thread, msg string) { r.prints = append(r.prints, msg) },
	}
	// Tilt's dialect: top-level if/for, reassignment, while, sets.
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	_, err = starlark.ExecFileOptions(opts, thread, "Tiltfile", src, r.builtins())
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		return r, fmt.Errorf("%s", evalErr.Backtrace())
	}
	return r, err
}

func (r *tiltRun) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.root, p)
}

func (r *tiltRun) ref(p string) { r.refs = append(r.refs, p) }

func (r *tiltRun) builtins() starlark.StringDict {
	defined := map[string]bool{}
	fn := func(name string, impl func(args map[string]starlark.Value) (starlark.Value, error)) *starlark.Builtin {
		short := name[strings.LastIndex(name, ".")+1:]
		return starlark.NewBuiltin(short, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			bound, err := bind(name, args, kwargs)
			if err != nil {
				return nil, err
			}
			call := tiltCall{Fn: name, Args: map[string]any{}, Pos: thread.CallFrame(1).Pos.String()}
			for k, v := range bound {
				call.Args[k] = toGo(v)
			}
			r.calls = append(r.calls, call)
			if impl == nil {
				return starlark.None, nil
			}
			return impl(bound)
		})
	}
	str := func(v starlark.Value) string {
		if s, ok := starlark.AsString(v); ok {
			return s
		}
		if b, ok := v.(blob); ok {
			return b.text
		}
		return ""
	}
	record := func(name string) *starlark.Builtin {
		return fn(name, func(args map[string]starlark.Value) (starlark.Value, error) {
			return starlarkstruct.FromStringDict(starlark.String(name), args), nil
		})
	}
	return starlark.StringDict{
		"allow_k8s_contexts": fn("allow_k8s_contexts", nil),
		"local_resource":     fn("local_resource", nil),
		"docker_build":       fn("docker_build", nil),
		"k8s_resource":       fn("k8s_resource", nil),
		"port_forward":       record("port_forward"),
		"link":               record("link"),
		"warn": fn("warn", func(args map[string]starlark.Value) (starlark.Value, error) {
			r.warns = append(r.warns, str(args["msg"]))
			return starlark.None, nil
		}),
		"kustomize": fn("kustomize", func(args map[string]starlark.Value) (starlark.Value, error) {
			dir := str(args["pathToDir"])
			r.ref(dir)
			out, err := RenderYAML(r.path(dir))
			if err != nil {
				return nil, err
			}
			return blob{string(out)}, nil
		}),
		"k8s_yaml": fn("k8s_yaml", func(args map[string]starlark.Value) (starlark.Value, error) {
			return starlark.None, r.k8sYAML(args["yaml"])
		}),
		"read_file": fn("read_file", func(args map[string]starlark.Value) (starlark.Value, error) {
			p := str(args["file_path"])
			r.ref(p)
			b, err := os.ReadFile(r.path(p))
			return blob{string(b)}, err
		}),
		"listdir": fn("listdir", func(args map[string]starlark.Value) (starlark.Value, error) {
			p := str(args["directory"])
			r.ref(p)
			entries, err := os.ReadDir(r.path(p))
			var out []starlark.Value
			for _, e := range entries {
				out = append(out, starlark.String(filepath.Join(r.path(p), e.Name())))
			}
			return starlark.NewList(out), err
		}),
		// Loading a Tiltfile must not run commands: that is local_resource's job.
		"local": fn("local", func(args map[string]starlark.Value) (starlark.Value, error) {
			return nil, fmt.Errorf("local(%s) at load time: use local_resource", args["command"])
		}),
		"config": &starlarkstruct.Module{Name: "config", Members: starlark.StringDict{
			"define_string": fn("config.define_string", func(args map[string]starlark.Value) (starlark.Value, error) {
				defined[str(args["name"])] = true
				return starlark.None, nil
			}),
			"define_bool": fn("config.define_bool", func(args map[string]starlark.Value) (starlark.Value, error) {
				defined[str(args["name"])] = true
				return starlark.None, nil
			}),
			"define_string_list": fn("config.define_string_list", func(args map[string]starlark.Value) (starlark.Value, error) {
				defined[str(args["name"])] = true
				return starlark.None, nil
			}),
			"set_enabled_resources": fn("config.set_enabled_resources", nil),
			"parse": fn("config.parse", func(map[string]starlark.Value) (starlark.Value, error) {
				d := starlark.NewDict(len(r.flags))
				for k, v := range r.flags {
					if !defined[k] {
						return nil, fmt.Errorf("config.parse: flag --%s is not defined", k)
					}
					_ = d.SetKey(starlark.String(k), starlark.String(v))
				}
				return d, nil
			}),
		}},
		"os": &starlarkstruct.Module{Name: "os", Members: starlark.StringDict{
			"getcwd": fn("os.getcwd", func(map[string]starlark.Value) (starlark.Value, error) {
				return starlark.String(r.root), nil
			}),
			"path": &starlarkstruct.Module{Name: "os.path", Members: starlark.StringDict{
				"exists": fn("os.path.exists", func(args map[string]starlark.Value) (starlark.Value, error) {
					_, err := os.Stat(r.path(str(args["path"])))
					return starlark.Bool(err == nil), nil
				}),
				"abspath": fn("os.path.abspath", func(args map[string]starlark.Value) (starlark.Value, error) {
					return starlark.String(r.path(str(args["path"]))), nil
				}),
				"basename": fn("os.path.basename", func(args map[string]starlark.Value) (starlark.Value, error) {
					return starlark.String(filepath.Base(str(args["path"]))), nil
				}),
				"dirname": fn("os.path.dirname", func(args map[string]starlark.Value) (starlark.Value, error) {
					return starlark.String(filepath.Dir(str(args["path"]))), nil
				}),
				// join is variadic, unlike the other builtins.
				"join": starlark.NewBuiltin("join", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
					if len(kwargs) > 0 || len(args) == 0 {
						return nil, fmt.Errorf("os.path.join: want one or more positional paths")
					}
					parts := make([]string, len(args))
					for i, a := range args {
						s, ok := starlark.AsString(a)
						if !ok {
							return nil, fmt.Errorf("os.path.join: argument %d is %s, not string", i+1, a.Type())
						}
						parts[i] = s
					}
					return starlark.String(filepath.Join(parts...)), nil
				}),
			}},
		}},
	}
}

// k8sYAML accepts what Tilt's k8s_yaml does: a Blob, a file path, or a list
// of either, and records the objects.
func (r *tiltRun) k8sYAML(v starlark.Value) error {
	var text string
	switch v := v.(type) {
	case blob:
		text = v.text
	case starlark.String:
		r.ref(string(v))
		b, err := os.ReadFile(r.path(string(v)))
		if err != nil {
			return err
		}
		text = string(b)
	case *starlark.List:
		for i := 0; i < v.Len(); i++ {
			if err := r.k8sYAML(v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("k8s_yaml: unsupported %s", v.Type())
	}
	for _, doc := range strings.Split(text, "\n---") {
		var o Object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return fmt.Errorf("k8s_yaml: %w", err)
		}
		if len(o) > 0 {
			r.objects = append(r.objects, o)
		}
	}
	return nil
}

// bind maps positional and keyword arguments onto Tilt's parameter names.
func bind(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (map[string]starlark.Value, error) {
	params, ok := tiltParams[fn]
	if !ok {
		return nil, fmt.Errorf("%s: no parameter list in the stub", fn)
	}
	names := make([]string, len(params))
	optional := map[string]bool{}
	for i, p := range params {
		names[i] = strings.TrimSuffix(p, "?")
		optional[names[i]] = strings.HasSuffix(p, "?")
	}
	out := map[string]starlark.Value{}
	if len(args) > len(names) {
		return nil, fmt.Errorf("%s: got %d positional arguments, want at most %d", fn, len(args), len(names))
	}
	for i, a := range args {
		out[names[i]] = a
	}
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		if _, known := optional[k]; !known {
			return nil, fmt.Errorf("%s: unexpected keyword argument %q", fn, k)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s: got multiple values for %q", fn, k)
		}
		out[k] = kv[1]
	}
	for _, n := range names {
		if _, set := out[n]; !set && !optional[n] {
			return nil, fmt.Errorf("%s: missing argument %q", fn, n)
		}
	}
	return out, nil
}

// toGo converts Starlark values into plain Go values for assertions.
func toGo(v starlark.Value) any {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.String:
		return string(v)
	case starlark.Bool:
		return bool(v)
	case starlark.Int:
		i, _ := v.Int64()
		return i
	case blob:
		return v.text
	case *starlark.List:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toGo(v.Index(i))
		}
		return out
	case starlark.Tuple:
		out := make([]any, len(v))
		for i := range v {
			out[i] = toGo(v[i])
		}
		return out
	case *starlark.Dict:
		out := map[string]any{}
		for _, it := range v.Items() {
			out[fmt.Sprint(toGo(it[0]))] = toGo(it[1])
		}
		return out
	case *starlarkstruct.Struct:
		out := map[string]any{"_type": toGo(v.Constructor())}
		for _, n := range v.AttrNames() {
			a, _ := v.Attr(n)
			out[n] = toGo(a)
		}
		return out
	default:
		return v.String()
	}
}

// callsTo returns the recorded calls of one builtin, in order.
func (r *tiltRun) callsTo(fn string) []tiltCall {
	var out []tiltCall
	for _, c := range r.calls {
		if c.Fn == fn {
			out = append(out, c)
		}
	}
	return out
}

func strs(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
	}
	sort.Strings(out)
	return out
}
