package seal

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Decode errors must never quote input values: a Secret's values are the
// plaintext being sealed, and the YAML and JSON libraries happily put them
// in their messages (yaml: cannot decode !!str `hunter2` as a !!int;
// json: cannot unmarshal number 42 into ...). So every message here is
// built from key names, tags and types only, and whatever library text is
// passed through is scrubbed of quoted scalars first.

var (
	quotedRE    = regexp.MustCompile("`[^`]*`?|\"(?:[^\"\\\\]|\\\\.)*\"?|'[^']*'?")
	numberValRE = regexp.MustCompile(`\bnumber \S+`)
)

// scrub removes anything a library might have quoted from the input.
func scrub(msg string) string {
	msg = quotedRE.ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) == 3 && q[0] == q[2] && strings.ContainsRune(",:[]{}-?", rune(q[1])) {
			return q // the parser naming the token it expected: ',' or ']'
		}
		return "<value>"
	})
	return numberValRE.ReplaceAllString(msg, "number")
}

var (
	strictErrRE = regexp.MustCompile(`^(unknown field|duplicate field) ("(?:[^"\\]|\\.)*")$`)
	typeErrRE   = regexp.MustCompile(`^json: cannot unmarshal (\w+)\b.* into Go struct field \w+\.(\S+) of type (\S+)$`)
)

// jsonError rewrites an error of the JSON decode step, value-free and
// pointed at the line of the field it is about when that can be found.
func jsonError(d Doc, err error) error {
	var msgs []string
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		msg, where := e.Error(), d.Where()
		if m := strictErrRE.FindStringSubmatch(msg); m != nil {
			if p, uerr := strconv.Unquote(m[2]); uerr == nil {
				where = d.Where(pathSegments(p)...)
				msg = m[1] + " " + strconv.Quote(p)
			}
		} else if m := typeErrRE.FindStringSubmatch(msg); m != nil {
			where = d.Where(pathSegments(m[2])...)
			msg = fmt.Sprintf("field %q: cannot use %s as %s", m[2], m[1], m[3])
		} else {
			var b64 base64.CorruptInputError
			if errors.As(e, &b64) {
				msg = "invalid base64 data"
			}
			msg = scrub(msg)
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", where, msg))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// pathSegments splits spec.containers[0].name into spec, containers, 0, name.
func pathSegments(path string) []string {
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		if part = strings.Trim(part, "[]"); part != "" {
			out = append(out, part)
		}
	}
	return out
}
