// Package apiserver starts upstream's kube-apiserver as a child process with the flags this harness needs, and
// writes the AuthenticationConfiguration it reads.
package apiserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config is what the apiserver is started with. Files are paths in the state directory.
type Config struct {
	Binary          string
	Version         string // e.g. v1.34.10: decides the MutatingAdmissionPolicy flags and the authn config version
	StateDir        string
	Port            int
	EtcdURL         string
	CAFile          string
	ServingCert     string
	ServingKey      string
	KubeletCert     string
	KubeletKey      string
	KubeletCAFile   string
	SAKeyFile       string
	SAPublicKeyFile string
	AuthnConfigFile string
	AuditPolicyFile string
	AuditLogFile    string
}

// Minor returns the minor version number of a "v1.MINOR.PATCH" string.
func Minor(version string) (int, error) {
	parts := strings.Split(strings.TrimPrefix(version, "v"), ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, fmt.Errorf("not a Kubernetes 1.x version: %q", version)
	}
	return strconv.Atoi(parts[1])
}

// Args returns the command line. Default-on and GA feature gates are deliberately not passed: a removed gate
// would stop the apiserver from starting.
func (c Config) Args() ([]string, error) {
	minor, err := Minor(c.Version)
	if err != nil {
		return nil, err
	}
	args := []string{
		"--etcd-servers=" + c.EtcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.Port),
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + c.ServingCert,
		"--tls-private-key-file=" + c.ServingKey,
		"--client-ca-file=" + c.CAFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=" + c.SAKeyFile,
		"--service-account-key-file=" + c.SAPublicKeyFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		"--authentication-config=" + c.AuthnConfigFile,
		"--allow-privileged=true",
		"--kubelet-preferred-address-types=InternalIP",
		"--kubelet-client-certificate=" + c.KubeletCert,
		"--kubelet-client-key=" + c.KubeletKey,
		"--kubelet-certificate-authority=" + c.KubeletCAFile,
		"--audit-policy-file=" + c.AuditPolicyFile,
		"--audit-log-path=" + c.AuditLogFile,
		"--audit-log-format=json",
		"--profiling=false",
		"--v=2",
	}
	// MutatingAdmissionPolicy: alpha in 1.32–1.33, beta but off in 1.34–1.35, GA and on from 1.36.
	switch {
	case minor >= 32 && minor <= 33:
		args = append(args, "--feature-gates=MutatingAdmissionPolicy=true",
			"--runtime-config=admissionregistration.k8s.io/v1alpha1=true")
	case minor >= 34 && minor <= 35:
		args = append(args, "--feature-gates=MutatingAdmissionPolicy=true",
			"--runtime-config=admissionregistration.k8s.io/v1beta1=true,admissionregistration.k8s.io/v1alpha1=true")
	}
	return args, nil
}

// AuthenticationConfigAPIVersion is the newest apiserver.config.k8s.io version the release serves.
func AuthenticationConfigAPIVersion(version string) string {
	if minor, err := Minor(version); err == nil && minor < 34 {
		return "apiserver.config.k8s.io/v1beta1"
	}
	return "apiserver.config.k8s.io/v1"
}

// WriteAuthenticationConfig writes a configuration trusting one JWT issuer: usernames and groups prefixed "oidc:".
func WriteAuthenticationConfig(file, version, issuerURL, issuerCAPEM, audience string) error {
	var ca strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(issuerCAPEM), "\n") {
		ca.WriteString("        " + line + "\n")
	}
	doc := fmt.Sprintf(`apiVersion: %s
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: %s
      audiences:
        - %s
      certificateAuthority: |
%s    claimMappings:
      username:
        claim: sub
        prefix: "oidc:"
      groups:
        claim: groups
        prefix: "oidc:"
`, AuthenticationConfigAPIVersion(version), issuerURL, audience, ca.String())
	return os.WriteFile(file, []byte(doc), 0o644)
}

// WriteAuditPolicy records streaming subresources (exec, attach, portforward) at Metadata level: the audit verb
// tells which path a client took (a WebSocket upgrade is a "get", SPDY is a POST, "create"). Nothing else is
// recorded, to keep the log small.
func WriteAuditPolicy(file string) error {
	doc := `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
  - level: None
`
	return os.WriteFile(file, []byte(doc), 0o644)
}

// Process is the running apiserver.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// Start launches the apiserver with its log in StateDir/logs/kube-apiserver.log.
func Start(c Config) (*Process, error) {
	args, err := c.Args()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(c.StateDir, "logs", "kube-apiserver.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.Binary, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
	// If the fixture dies, so does the apiserver.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, err
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// WaitReady polls /readyz with the admin client certificate until it answers 200.
func (p *Process) WaitReady(ctx context.Context, server string, ca *x509.CertPool, admin tls.Certificate) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca, Certificates: []tls.Certificate{admin}}},
	}
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("kube-apiserver exited: %v (see logs/kube-apiserver.log)", p.err)
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
		resp, err := client.Get(server + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
}

// Stop sends SIGTERM and, after 20 s, SIGKILL.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Exited is closed when the apiserver process ends.
func (p *Process) Exited() <-chan struct{} { return p.exited }
