package dotenv

import "fmt"

// ErrorKind classifies a parse error so callers and tests can match on it
// without parsing the message.
type ErrorKind int

// The kinds of parse error.
const (
	ErrMalformed    ErrorKind = iota + 1 // no '=' or junk after a closing quote
	ErrInvalidKey                        // key is not a valid name
	ErrDuplicateKey                      // key assigned twice
	ErrUnterminated                      // quote never closed
	ErrEscape                            // bad backslash escape in double quotes
)

// ParseError reports where a .env file is wrong. Its message never contains
// any part of a value.
type ParseError struct {
	File string
	Line int
	Kind ErrorKind
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

func (p *parser) errorf(line int, kind ErrorKind, format string, a ...any) error {
	return &ParseError{File: p.name, Line: line, Kind: kind, Msg: fmt.Sprintf(format, a...)}
}
