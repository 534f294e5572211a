package integration

// TEMPORARY (deleted after use): keeps a plane up for a tmux look at the TUI.

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/emmdev/emmdev/internal/testcp"
)

func TestManualSession(t *testing.T) {
	dir := os.Getenv("EMMDEV_STATUS_MANUAL")
	if dir == "" {
		t.Skip("manual only")
	}
	cp := testcp.Get(t)
	ctx := context.Background()
	ns := "agentic-ai"
	if _, err := cp.Clientset.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _ = cp.Clientset.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	for _, d := range []struct {
		name string
		n    int32
	}{{"api", 3}, {"worker", 2}} {
		if _, err := cp.Clientset.AppsV1().Deployments(ns).Create(ctx, deployment(d.name, d.n), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	crash := pod("crasher", map[string]string{testcp.CrashLoopLabel: "true", "app": "crasher"}, "")
	crash.Annotations = map[string]string{testcp.CrashLoopRunAnnotation: "5s", testcp.CrashLoopBackOffAnnotation: "5s"}
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, crash, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Clientset.CoreV1().Pods(ns).Create(ctx, pod("llm-0", map[string]string{"app": "llm"}, "256Mi"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(cp.KubeconfigPath)
	if err := os.WriteFile(dir+"/kubeconfig", data, 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1200; i++ {
		time.Sleep(time.Second)
		if _, err := os.Stat(dir + "/oom"); err == nil {
			os.Remove(dir + "/oom")
			cur, err := cp.Clientset.CoreV1().Pods(ns).Get(ctx, "llm-0", metav1.GetOptions{})
			if err == nil {
				cs := &cur.Status.ContainerStatuses[0]
				cs.RestartCount++
				cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason: "OOMKilled", ExitCode: 137, FinishedAt: metav1.Now()}}
				_, err = cp.Clientset.CoreV1().Pods(ns).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
			}
			t.Logf("oom: %v", err)
		}
		if _, err := os.Stat(dir + "/stop-apiserver"); err == nil {
			os.Remove(dir + "/stop-apiserver")
			cp.StopAPIServer(t)
		}
		if _, err := os.Stat(dir + "/start-apiserver"); err == nil {
			os.Remove(dir + "/start-apiserver")
			cp.StartAPIServer(t)
		}
		if _, err := os.Stat(dir + "/done"); err == nil {
			return
		}
	}
}
