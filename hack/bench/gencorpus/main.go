// Command gencorpus writes a deterministic corpus of valid, EMM-like
// Kubernetes manifests for benchmarks: -files files of -objects objects
// each, cycling through the kinds an application repository holds
// (Deployment, Service, ConfigMap, StatefulSet, SealedSecret, Ingress, RBAC...).
//
//	go run ./hack/bench/gencorpus -out DIR -files 100 -objects 80
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(2)
	}
}

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	fs.SetOutput(log)
	out := fs.String("out", "", "directory to write the corpus to (created)")
	files := fs.Int("files", 100, "number of files")
	objects := fs.Int("objects", 80, "objects per file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *files < 1 || *objects < 1 {
		return fmt.Errorf("-out is required, -files and -objects must be positive")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	n := 0
	for f := range *files {
		var buf bytes.Buffer
		for o := range *objects {
			if o > 0 {
				buf.WriteString("---\n")
			}
			buf.WriteString(object(n))
			n++
		}
		if err := os.WriteFile(filepath.Join(*out, fmt.Sprintf("app-%03d.yaml", f)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "gencorpus: %d objects in %d files under %s\n", n, *files, *out)
	return nil
}

// object returns the i-th object; the cycle mirrors the mix of a real app
// repository (many Deployments/Services/ConfigMaps, fewer of the rest).
func object(i int) string {
	name := fmt.Sprintf("svc-%04d", i/10)
	switch i % 10 {
	case 0, 5:
		return fmt.Sprintf(deployment, name+suffix(i), name)
	case 1, 6:
		return fmt.Sprintf(service, name+suffix(i), name)
	case 2, 7:
		return fmt.Sprintf(configMap, name+suffix(i))
	case 3:
		return fmt.Sprintf(statefulSet, name, name)
	case 4:
		return fmt.Sprintf(sealedSecret, name)
	case 8:
		return fmt.Sprintf(ingress, name, name)
	default:
		return fmt.Sprintf(serviceAccount, name)
	}
}

func suffix(i int) string {
	if i%10 >= 5 {
		return "-b"
	}
	return "-a"
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: agentic-ai
  labels: {app.kubernetes.io/name: %[1]s, app.kubernetes.io/part-of: emm}
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
  template:
    metadata:
      labels: {app.kubernetes.io/name: %[1]s, app.kubernetes.io/part-of: emm}
    spec:
      serviceAccountName: %[2]s
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
        - name: server
          image: ghcr.io/emm/%[2]s:1.4.2
          args: ["--port=8080", "--log-level=info"]
          ports:
            - {name: http, containerPort: 8080}
          env:
            - {name: REDIS_URL, value: "redis://redis-service:6379"}
            - name: API_TOKEN
              valueFrom:
                secretKeyRef: {name: %[2]s, key: API_TOKEN}
          envFrom:
            - configMapRef: {name: %[1]s}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 512Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 10
          livenessProbe:
            httpGet: {path: /livez, port: http}
            periodSeconds: 20
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: ["ALL"]}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 64Mi}
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: agentic-ai
  labels: {app.kubernetes.io/name: %[1]s}
spec:
  selector: {app.kubernetes.io/name: %[1]s}
  ports:
    - {name: http, port: 80, targetPort: http, protocol: TCP}
`

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s
  namespace: agentic-ai
data:
  LOG_FORMAT: json
  FEATURE_FLAGS: "search,summaries"
  settings.yaml: |
    workers: 4
    timeout: 30s
`

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s-db
  namespace: agentic-ai
spec:
  serviceName: %[1]s-db
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s-db}
  template:
    metadata:
      labels: {app.kubernetes.io/name: %[1]s-db}
    spec:
      containers:
        - name: postgres
          image: postgres:17.2
          ports: [{name: pg, containerPort: 5432}]
          env:
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef: {name: %[2]s, key: DB_PASSWORD}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 1Gi}
          readinessProbe:
            exec: {command: ["pg_isready"]}
          livenessProbe:
            tcpSocket: {port: pg}
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 10Gi}}
`

const sealedSecret = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: %[1]s
  namespace: agentic-ai
spec:
  encryptedData:
    API_TOKEN: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq
    DB_PASSWORD: AgCx8f1PQLxm+WTZnBcq2tYx0uV9a7kE
  template:
    metadata: {name: %[1]s, namespace: agentic-ai}
    type: Opaque
`

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: %[1]s
  namespace: agentic-ai
spec:
  ingressClassName: nginx
  rules:
    - host: %[1]s.emm.local
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: %[2]s-a, port: {number: 80}}
`

const serviceAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s
  namespace: agentic-ai
automountServiceAccountToken: false
`
