package dotenv

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"simple", "A=1\nB=two\n", []Entry{{"A", "1", 1}, {"B", "two", 2}}},
		{"comments and blank lines", "# c\n\n  # indented\nA=1\n\n", []Entry{{"A", "1", 4}}},
		{"export prefix", "export A=1\nexport\tB=2\n", []Entry{{"A", "1", 1}, {"B", "2", 2}}},
		{"key named export", "export=1\n", []Entry{{"export", "1", 1}}},
		{"empty value", "A=\nB=  \n", []Entry{{"A", "", 1}, {"B", "", 2}}},
		{"empty value with comment", "A= # note\n", []Entry{{"A", "", 1}}},
		{"inline comment", "A=value # note\n", []Entry{{"A", "value", 1}}},
		{"hash glued to value kept", "A=pa#ss\nB=#x\n", []Entry{{"A", "pa#ss", 1}, {"B", "#x", 2}}},
		{"spaces around equals", "A = v \n", []Entry{{"A", "v", 1}}},
		{"single quotes are literal", `A='a\nb "c" $d # e'` + "\n", []Entry{{"A", `a\nb "c" $d # e`, 1}}},
		{"double quote escapes", `A="l1\nl2\t\"q\" \\ \$HOME"` + "\n", []Entry{{"A", "l1\nl2\t\"q\" \\ $HOME", 1}}},
		{"double quotes keep hash", `A="x # not a comment" # comment` + "\n", []Entry{{"A", "x # not a comment", 1}}},
		{"multi-line double quoted", "A=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nB=2\n",
			[]Entry{{"A", "-----BEGIN KEY-----\nabc\n-----END KEY-----", 1}, {"B", "2", 4}}},
		{"multi-line single quoted", "A='x\ny'\n", []Entry{{"A", "x\ny", 1}}},
		{"empty quoted", `A=""` + "\nB=''\n", []Entry{{"A", "", 1}, {"B", "", 2}}},
		{"crlf and bom", "\xef\xbb\xbfA=1\r\nB=\"x\r\ny\"\r\n", []Entry{{"A", "1", 1}, {"B", "x\ny", 2}}},
		{"no trailing newline", "A=1", []Entry{{"A", "1", 1}}},
		{"dots and dashes in key", "tls.crt=x\nmy-key=y\n", []Entry{{"tls.crt", "x", 1}, {"my-key", "y", 2}}},
		{"dollar is literal", "A=$B${C}\n", []Entry{{"A", "$B${C}", 1}}},
		{"equals in value", "A=b=c==\n", []Entry{{"A", "b=c==", 1}}},
		{"empty file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseBytes("t.env", []byte(tt.in))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// secret is planted in every invalid input; no error message may contain it.
const secret = "SECRETVALUE"

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		line int
		kind ErrorKind
	}{
		{"no equals", "A=1\n" + secret + "\n", 2, ErrMalformed},
		{"value pasted as key", "https://u:" + secret + "@h/?a=x\n", 1, ErrInvalidKey},
		{"key with space", "MY " + secret + "=x\n", 1, ErrInvalidKey},
		{"empty key", "=" + secret + "\n", 1, ErrInvalidKey},
		{"digit first", "1A=" + secret + "\n", 1, ErrInvalidKey},
		{"duplicate key", "A=" + secret + "\nB=2\nA=3\n", 3, ErrDuplicateKey},
		{"duplicate via export", "A=1\nexport A=" + secret + "\n", 2, ErrDuplicateKey},
		{"unterminated double", "X=1\nA=\"" + secret + "\nmore\n", 2, ErrUnterminated},
		{"unterminated single", "A='" + secret + "\n", 1, ErrUnterminated},
		{"unknown escape", "A=\"" + secret + `\q"` + "\n", 1, ErrEscape},
		{"escape on continuation line", "A=\"x\n" + secret + `\z"` + "\n", 2, ErrEscape},
		{"backslash at end of line", "A=\"" + secret + "\\\n\"\n", 1, ErrEscape},
		{"junk after quote", "A=\"x\"" + secret + "\n", 1, ErrMalformed},
		{"junk after multi-line quote", "A=\"x\ny\"" + secret + "\n", 2, ErrMalformed},
		{"hash glued after quote", "A='x'#" + secret + "\n", 1, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseBytes("dir/.env", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want *ParseError, got %v", err)
			}
			if pe.Line != tt.line || pe.Kind != tt.kind {
				t.Errorf("got line %d kind %d (%v), want line %d kind %d", pe.Line, pe.Kind, err, tt.line, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), "dir/.env:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the value: %q", err)
			}
		})
	}
}

// TestHostileCorpus parses every file in testdata/hostile: none may panic,
// and no error may echo the planted value.
func TestHostileCorpus(t *testing.T) {
	t.Parallel()
	want := map[string]string{ // file -> "ok" or the error kind expected
		"adjacent-single.env":      "malformed",
		"backslash-eol.env":        "escape",
		"bad-escape.env":           "escape",
		"binary-bytes.env":         "ok",
		"bom-crlf.env":             "ok",
		"duplicate.env":            "duplicate",
		"empty-key.env":            "key",
		"export-alone.env":         "malformed",
		"junk-after-quote.env":     "malformed",
		"many-escapes.env":         "ok",
		"no-equals-value-only.env": "malformed",
		"only-comments.env":        "ok",
		"shell-expansion.env":      "ok",
		"triple-quotes.env":        "malformed",
		"unterminated-double.env":  "unterminated",
		"unterminated-single.env":  "unterminated",
		"value-as-key.env":         "key",
		"very-long-line.env":       "ok",
	}
	kinds := map[ErrorKind]string{ErrMalformed: "malformed", ErrInvalidKey: "key", ErrDuplicateKey: "duplicate",
		ErrUnterminated: "unterminated", ErrEscape: "escape"}
	files, err := filepath.Glob("testdata/hostile/*.env")
	if err != nil || len(files) != len(want) {
		t.Fatalf("corpus has %d files, table has %d (err %v)", len(files), len(want), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := ParseBytes(f, data)
			got := "ok"
			if perr != nil {
				var pe *ParseError
				if !errors.As(perr, &pe) {
					t.Fatalf("not a ParseError: %v", perr)
				}
				got = kinds[pe.Kind]
				if strings.Contains(perr.Error(), secret) {
					t.Errorf("error leaks the value: %q", perr)
				}
			}
			if got != want[filepath.Base(f)] {
				t.Errorf("got %s (%v), want %s", got, perr, want[filepath.Base(f)])
			}
		})
	}
}

func TestHostileValues(t *testing.T) {
	t.Parallel()
	got, err := ParseBytes("x", []byte("A=${SECRETVALUE}\nB=$(rm -rf /)\n"))
	if err != nil {
		t.Fatal(err)
	}
	// No expansion, no execution: the text comes back verbatim.
	if got[0].Value != "${SECRETVALUE}" || got[1].Value != "$(rm -rf /)" {
		t.Errorf("values changed: %+v", got)
	}
}
