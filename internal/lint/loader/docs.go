package loader

import (
	"bytes"
	"context"
	"errors"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// docSource yields the documents of one file in order: from the fast path
// while it is sure of what it reads, then from yaml.v3 and the converter,
// which take over at the document the fast path gave up on.
//
// The fast path reads one document ahead: yaml.v3 looks past the end of a
// document before returning it, so a broken start of the next document is
// an error of this one for yaml.v3, and must be for the fast path too.
type docSource struct {
	ctx      context.Context // nil: never cancelled
	name     string
	data     []byte
	opts     Options
	fast     *fastParser // nil once yaml.v3 has taken over
	ahead    *fastDoc    // the document the fast path read but did not return
	dec      *yaml.Decoder
	doc      int // documents returned so far
	fastRead int // of which the fast path read
}

func newDocSource(name string, data []byte, opts Options) *docSource {
	return &docSource{name: name, data: data, opts: opts, fast: newFastParser(data, opts.MaxDepth)}
}

// next returns the objects of the next document. docErr is a document
// that is not a Kubernetes object (the next one can still be read); end
// is io.EOF after the last document or the located YAML error that ends
// the file.
func (s *docSource) next() (objs []*Object, docErr, end error) {
	if s.fast != nil {
		if d, ok := s.nextFast(); ok {
			if d.eof {
				return nil, nil, io.EOF
			}
			s.doc++
			s.fastRead++
			if d.empty {
				return nil, nil, nil
			}
			lazy := lazyPos{src: s.fast.src, off: int32(d.off), line: int32(d.startLine), maxDepth: int32(s.fast.maxDepth)}
			objs, err := convertedObjects(s.name, s.doc, d.cv, nil, lazy, d.line, d.col)
			return objs, err, nil
		}
		s.fast, s.ahead = nil, nil
		if err := s.slowFrom(s.doc); err != nil {
			return nil, nil, err
		}
	}
	if s.dec == nil {
		s.dec = yaml.NewDecoder(bytes.NewReader(s.data))
	}
	var n yaml.Node
	if err := s.dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, io.EOF
		}
		return nil, nil, yamlError(s.name, s.data, err)
	}
	s.doc++
	objs, err := documentObjects(s.name, s.doc, &n, s.opts)
	return objs, err, nil
}

// nextFast returns the next document once the fast path has also read the
// one after it (or the end); ok is false when it gave up on either.
func (s *docSource) nextFast() (fastDoc, bool) {
	if s.ahead == nil {
		d, ok := s.fast.document()
		if !ok {
			return fastDoc{}, false
		}
		s.ahead = &d
	}
	cur := *s.ahead
	if cur.eof {
		return cur, true
	}
	after, ok := s.fast.document()
	if !ok {
		return fastDoc{}, false
	}
	s.ahead = &after
	return cur, true
}

// slowFrom starts yaml.v3 on the file and skips the documents the fast
// path has read.
func (s *docSource) slowFrom(done int) error {
	s.dec = yaml.NewDecoder(bytes.NewReader(s.data))
	for range done {
		if s.ctx != nil && s.ctx.Err() != nil {
			return s.ctx.Err() // the caller reports the interruption
		}
		var n yaml.Node
		if err := s.dec.Decode(&n); err != nil {
			return yamlError(s.name, s.data, err)
		}
	}
	return nil
}
