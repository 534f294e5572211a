// Package corpus generates a deterministic, realistic manifest corpus for
// benchmarks: the lint benchmarks and hack/bench-* (through
// hack/gencorpus) use the same bytes, so emmdev and kubeconform are compared
// on identical input.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The benchmark sizes from the issue: a repository-sized corpus and a
// pre-commit-sized file.
const (
	BigFiles          = 100
	BigObjectsPerFile = 80
	SmallObjects      = 80
)

// File returns one multi-document YAML file of n objects; index varies the
// names so files do not repeat each other. Objects cycle through the kinds a
// platform repository holds (Deployment, Service, ConfigMap, StatefulSet with
// a claim template, SealedSecret), all schema-valid.
func File(index, n int) []byte {
	var b strings.Builder
	b.Grow(n * 900)
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		name := fmt.Sprintf("svc-%03d-%03d", index, i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, deployment, name, i%3+1)
		case 1:
			fmt.Fprintf(&b, service, name, 8000+i%1000)
		case 2:
			fmt.Fprintf(&b, configMap, name, i, index)
		case 3:
			fmt.Fprintf(&b, statefulSet, name)
		case 4:
			fmt.Fprintf(&b, sealedSecret, name)
		}
	}
	return []byte(b.String())
}

// WriteDir writes files files of perFile objects each into dir and returns
// their paths.
func WriteDir(dir string, files, perFile int) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, 0, files)
	for f := range files {
		p := filepath.Join(dir, fmt.Sprintf("app-%03d.yaml", f))
		if err := os.WriteFile(p, File(f, perFile), 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: agentic-ai
  labels:
    app.kubernetes.io/name: %[1]s
    app.kubernetes.io/part-of: emm
spec:
  replicas: %[2]d
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
    spec:
      containers:
        - name: app
          image: ghcr.io/emm/%[1]s:1.2.3
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: REDIS_URL
              value: redis://redis:6379/0
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /livez
              port: http
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: agentic-ai
spec:
  selector:
    app.kubernetes.io/name: %[1]s
  ports:
    - name: http
      port: 80
      targetPort: %[2]d
`

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s
  namespace: agentic-ai
data:
  settings.yaml: |
    replica: %[2]d
    shard: %[3]d
    features: [search, classify, summarize]
  LOG_FORMAT: json
`

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s
  namespace: agentic-ai
spec:
  serviceName: %[1]s
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
    spec:
      containers:
        - name: redis
          image: redis:7.4.2-alpine
          args: ["--appendonly", "yes"]
          ports:
            - containerPort: 6379
          readinessProbe:
            exec:
              command: [redis-cli, ping]
          volumeMounts:
            - name: data
              mountPath: /data
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              cpu: 250m
              memory: 256Mi
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
`

const sealedSecret = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: %[1]s
  namespace: agentic-ai
spec:
  encryptedData:
    token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEqhc0hLlmWfAyHhgvIKzB2K9y8
  template:
    metadata:
      name: %[1]s
      namespace: agentic-ai
`
