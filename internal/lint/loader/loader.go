// Package loader reads Kubernetes manifests (files, directories, stdin or
// in-memory blobs) into decoded objects that remember where every field came
// from, so a finding on any JSON path can be reported as file:line:col.
//
// It fails closed: unreadable files, unparsable documents, documents that are
// not Kubernetes objects and hostile input (alias bombs, cycles, duplicate
// keys, oversized files) are errors naming the file and line, never a panic
// and never a silent skip.
package loader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/parallel"
)

// Defaults for Options fields left at zero.
const (
	DefaultMaxFileBytes  = 32 << 20  // larger manifests are almost certainly not hand-written YAML
	DefaultMaxAliasNodes = 1_000_000 // caps anchor/alias expansion ("billion laughs")
	DefaultMaxDepth      = 200       // caps nesting; real manifests stay under 30
)

// Options bound the work a single input may cause.
type Options struct {
	MaxFileBytes  int64
	MaxAliasNodes int
	MaxDepth      int
	// Workers is the number of files parsed concurrently (0 = GOMAXPROCS).
	Workers int
	// OnObject, when set, is called by ParseAll with each object as soon
	// as its document is read (from the loading goroutines, so it must be
	// safe for concurrent use and quick), letting work that needs only the
	// object start while the rest of the file is still being read. The
	// object must not be changed.
	OnObject func(*Object)
}

func (o Options) withDefaults() Options {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxAliasNodes <= 0 {
		o.MaxAliasNodes = DefaultMaxAliasNodes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Input is one named source of manifests. Read is called once, from a
// worker; it may stop after limit+1 bytes so huge files are refused without
// being read whole.
type Input struct {
	Name string
	Read func(limit int64) ([]byte, error)
}

// BytesInput wraps content that is already in memory (stdin, git blobs).
func BytesInput(name string, data []byte) Input {
	return Input{Name: name, Read: func(int64) ([]byte, error) { return data, nil }}
}

// Error is a load failure located in a file (Line 0 when unknown).
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Col > 0 {
			loc += ":" + strconv.Itoa(e.Col)
		}
	}
	return loc + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads and parses every input concurrently and returns the objects in
// input order. All failures are joined so the user sees every broken file in
// one run.
func Load(ctx context.Context, inputs []Input, opts Options) ([]*Object, error) {
	opts = opts.withDefaults()
	results := make([][]*Object, len(inputs))
	err := parallel.ForEach(ctx, len(inputs), opts.Workers, func(i int) error {
		var err error
		results[i], err = loadOne(inputs[i], opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, r := range results {
		n += len(r)
	}
	objs := make([]*Object, 0, n)
	for _, r := range results {
		objs = append(objs, r...)
	}
	return objs, nil
}

func loadOne(in Input, opts Options) ([]*Object, error) {
	data, err := in.Read(opts.MaxFileBytes)
	if err != nil {
		return nil, &Error{File: in.Name, Msg: fmt.Sprintf("cannot read: %v", unwrapPath(err)), Err: err}
	}
	if int64(len(data)) > opts.MaxFileBytes {
		return nil, &Error{File: in.Name, Msg: fmt.Sprintf("file is over the %d byte limit", opts.MaxFileBytes)}
	}
	return Parse(in.Name, data, opts)
}

// unwrapPath drops the "open <path>:" prefix of *fs.PathError since Error
// already names the file.
func unwrapPath(err error) error {
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap()
	}
	return err
}

var (
	yamlLineRE      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.+)' referenced$`)
)

// Parse decodes every document of one file. Empty documents (only comments or
// `---`) are skipped; a file with no object at all is not an error here,
// because the caller decides whether "nothing to lint" fails (it does for the
// whole run).
func Parse(name string, data []byte, opts Options) ([]*Object, error) {
	var objs []*Object
	opts = opts.withDefaults()
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &Error{File: name, Msg: "binary content (NUL byte), not a YAML or JSON manifest"}
	}
	src := newDocSource(name, data, opts)
	for {
		got, err, end := src.next()
		if errors.Is(end, io.EOF) {
			return objs, nil
		}
		if end != nil {
			return nil, end
		}
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
}

func yamlError(name string, data []byte, err error) error {
	msg := err.Error()
	// yaml.v3 gives no line for an undefined alias; find its first use.
	if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			return &Error{File: name, Line: bytes.Count(data[:i], []byte("\n")) + 1, Msg: "alias *" + m[1] + " has no anchor &" + m[1], Err: err}
		}
	}
	if line, problem := SyntaxError(data, msg); line > 0 {
		return &Error{File: name, Line: line, Msg: problem, Err: err}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &Error{File: name, Line: line, Msg: m[2], Err: err}
		}
	}
	return &Error{File: name, Msg: "invalid YAML: " + trimYAMLPrefix(msg), Err: err}
}

// SyntaxError locates a YAML syntax error in data from the text of
// yaml.v3's (or yaml.v2's: the same libyaml port) error message: the
// 1-based line a user has to fix (0 = unknown) and the problem without
// the library's prefix and line.
func SyntaxError(data []byte, msg string) (line int, problem string) {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line = min(line+1, lineCount(data))
			if !flowProblems[m[2]] {
				if l := problemLine(data, m[2]); l > 0 {
					line = l
				}
			}
		}
		return line, m[2]
	}
	problem = trimYAMLPrefix(msg)
	if parserProblems[problem] || scannerProblems[problem] {
		return 1, problem // no line: both marks were on the first line
	}
	return 0, problem
}

// parserProblems are the problems yaml.v3's parser (not its scanner)
// reports. For those it prints the 0-based line of its mark, and no line
// at all for the first one (go.yaml.in/yaml/v3 decode.go, parser.fail);
// scanner problems get the 1-based line.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// flowProblems are parser problems of an unclosed flow collection: the
// line yaml.v3 gives, where the collection opens, is the one to fix.
var flowProblems = map[string]bool{
	"did not find expected ',' or ']'": true,
	"did not find expected ',' or '}'": true,
}

// problemLine is the 1-based line of the token where yaml.v2's parser,
// the same libyaml port, stops with problem (0 = it does not). yaml.v3
// names the line where the enclosing collection starts instead, which
// for a key indented wrong deep in a mapping is lines away.
func problemLine(data []byte, problem string) int {
	dec := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		err := dec.Decode(&v)
		if err == nil {
			continue
		}
		m := yamlLineRE.FindStringSubmatch(err.Error())
		if m == nil || m[2] != problem {
			return 0
		}
		line, _ := strconv.Atoi(m[1])
		return min(line+1, lineCount(data))
	}
}

// scannerProblems are the problems yaml.v3's scanner reports (scannerc.go).
var scannerProblems = map[string]bool{
	"block sequence entries are not allowed in this context":       true,
	"could not find expected ':'":                                  true,
	"could not find expected directive name":                       true,
	"did not find expected alphabetic or numeric character":        true,
	"did not find expected comment or line break":                  true,
	"did not find expected digit or '.' character":                 true,
	"did not find expected hexdecimal number":                      true,
	"did not find expected version number":                         true,
	"did not find expected whitespace or line break":               true,
	"did not find expected whitespace":                             true,
	"did not find the expected '>'":                                true,
	"found a tab character that violates indentation":              true,
	"found a tab character where an indentation space is expected": true,
	"found an indentation indicator equal to 0":                    true,
	"found character that cannot start any token":                  true,
	"found extremely long version number":                          true,
	"found invalid Unicode character escape code":                  true,
	"found unexpected document indicator":                          true,
	"found unexpected end of stream":                               true,
	"found unexpected non-alphabetical character":                  true,
	"found unknown directive name":                                 true,
	"found unknown escape character":                               true,
	"mapping keys are not allowed in this context":                 true,
	"mapping values are not allowed in this context":               true,
	"did not find URI escaped octet":                               true,
	"did not find expected '!'":                                    true,
	"did not find expected tag URI":                                true,
	"found an incorrect leading UTF-8 octet":                       true,
	"found an incorrect trailing UTF-8 octet":                      true,
}

// lineCount is the number of the last line of data: a problem at the end
// of the stream is marked on the line after a final newline.
func lineCount(data []byte) int {
	// YAML breaks lines at \n, \r\n and a lone \r alike.
	n := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	if len(data) == 0 || (data[len(data)-1] != '\n' && data[len(data)-1] != '\r') {
		n++
	}
	return max(n, 1)
}

func trimYAMLPrefix(s string) string {
	if len(s) > 6 && s[:6] == "yaml: " {
		return s[6:]
	}
	return s
}
