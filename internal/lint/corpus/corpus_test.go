package corpus

import (
	"bytes"
	"strings"
	"testing"
)

func TestFileIsDeterministicAndSized(t *testing.T) {
	t.Parallel()
	a, b := File(3, SmallObjects), File(3, SmallObjects)
	if !bytes.Equal(a, b) {
		t.Fatal("File is not deterministic")
	}
	if n := strings.Count(string(a), "\nkind: "); n != SmallObjects {
		t.Errorf("%d objects, want %d", n, SmallObjects)
	}
	if bytes.Equal(File(1, 5), File(2, 5)) {
		t.Error("files with different indexes are identical")
	}
}

func TestWriteDir(t *testing.T) {
	t.Parallel()
	paths, err := WriteDir(t.TempDir(), 3, 4)
	if err != nil || len(paths) != 3 {
		t.Fatalf("%v %v", paths, err)
	}
}
