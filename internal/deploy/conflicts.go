package deploy

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Conflict is one field that server-side apply would take from another
// field manager.
type Conflict struct {
	Object string // "Deployment agentic-ai/redis"
	Source string // where the object came from
	Field  string // ".spec.replicas"
	Owner  string // `"kubectl-edit" using apps/v1 at 2026-...`
}

func (c Conflict) String() string {
	return fmt.Sprintf("%s (%s): %s is owned by %s", c.Object, c.Source, c.Field, c.Owner)
}

// ConflictError lists every field an apply without force would have taken
// over; the objects concerned were left as they are.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	lines := make([]string, 0, len(e.Conflicts)+1)
	lines = append(lines, fmt.Sprintf("%d fields are managed by someone else; nothing of theirs was changed:", len(e.Conflicts)))
	for _, c := range e.Conflicts {
		lines = append(lines, "  "+c.String())
	}
	return strings.Join(lines, "\n")
}

// conflicts turns the API server's apply-conflict error into one Conflict
// per field, or returns nil when err is not one.
func conflicts(o Object, err error) []Conflict {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || !apierrors.IsConflict(err) {
		return nil
	}
	details := status.Status().Details
	if details == nil {
		return nil
	}
	var out []Conflict
	for _, c := range details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		out = append(out, Conflict{
			Object: o.ID(), Source: o.Source, Field: c.Field,
			Owner: strings.TrimPrefix(c.Message, "conflict with "),
		})
	}
	return out
}
