package loader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/emmdev/emmdev/internal/parallel"
)

// LoadAll is Load that keeps going: a file that cannot be read or parsed,
// or a document that is not a Kubernetes object, becomes a located *Error
// and every other file (and every other document of the same file) is still
// returned. Only cancellation is returned as err, so a caller can report the
// broken files as findings next to the findings of the rest.
func LoadAll(ctx context.Context, inputs []Input, opts Options) ([]*Object, []*Error, error) {
	opts = opts.withDefaults()
	objs := make([][]*Object, len(inputs))
	errs := make([][]*Error, len(inputs))
	err := parallel.ForEach(ctx, len(inputs), opts.Workers, func(i int) error {
		objs[i], errs[i] = loadOneAll(ctx, inputs[i], opts)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var outObjs []*Object
	var outErrs []*Error
	for i := range inputs {
		outObjs = append(outObjs, objs[i]...)
		outErrs = append(outErrs, errs[i]...)
	}
	return outObjs, outErrs, nil
}

func loadOneAll(ctx context.Context, in Input, opts Options) ([]*Object, []*Error) {
	data, err := in.Read(opts.MaxFileBytes)
	if err != nil {
		return nil, []*Error{{File: in.Name, Msg: fmt.Sprintf("cannot read: %v", unwrapPath(err)), Err: err}}
	}
	if int64(len(data)) > opts.MaxFileBytes {
		return nil, []*Error{{File: in.Name, Msg: fmt.Sprintf("file is over the %d byte limit", opts.MaxFileBytes)}}
	}
	return parseAll(ctx, in.Name, data, opts)
}

// ParseAll is Parse that keeps every document it can: a document that is
// not a Kubernetes object is an error of its own and the next document is
// still read. A YAML syntax error ends the file (the decoder cannot resync),
// keeping the documents before it.
func ParseAll(name string, data []byte, opts Options) (objs []*Object, errs []*Error) {
	return parseAll(context.Background(), name, data, opts)
}

// parseAll is ParseAll that stops between documents once ctx is done (the
// caller reports the interruption): a file of thousands of objects must
// not hold up Ctrl-C.
func parseAll(ctx context.Context, name string, data []byte, opts Options) (objs []*Object, errs []*Error) {
	opts = opts.withDefaults()
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, []*Error{{File: name, Msg: "binary content (NUL byte), not a YAML or JSON manifest"}}
	}
	src := newDocSource(name, data, opts)
	src.ctx = ctx
	for {
		if ctx.Err() != nil {
			return objs, errs
		}
		got, err, end := src.next()
		if end != nil {
			if errors.Is(end, io.EOF) || ctx.Err() != nil {
				return objs, errs
			}
			return objs, append(errs, asError(name, end))
		}
		if err != nil {
			errs = append(errs, asError(name, err))
			continue
		}
		if opts.OnObject != nil {
			for _, o := range got {
				opts.OnObject(o)
			}
		}
		objs = append(objs, got...)
	}
}

// asError makes sure every failure is located at least by file.
func asError(name string, err error) *Error {
	var le *Error
	if errors.As(err, &le) {
		return le
	}
	return &Error{File: name, Msg: err.Error(), Err: err}
}
