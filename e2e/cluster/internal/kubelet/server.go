// Package kubelet is the fake node's kubelet: the HTTPS endpoints the apiserver calls for exec, attach and logs,
// served by the kubelet's own streaming handlers (k8s.io/kubelet/pkg/cri/streaming/remotecommand) over local
// processes. The apiserver therefore does its real work between a client and the process: WebSocket v5 → SPDY
// translation, or passing SPDY and WebSocket v1–v4 through.
package kubelet

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/remotecommand"
	corelisters "k8s.io/client-go/listers/core/v1"
	streaming "k8s.io/kubelet/pkg/cri/streaming/remotecommand"
)

// The real kubelet's defaults (--streaming-connection-idle-timeout, DefaultStreamCreationTimeout).
const (
	idleTimeout           = 4 * time.Hour
	streamCreationTimeout = 30 * time.Second
)

// Kubelet serves the node's pods. Pods comes from the controllers' informer.
type Kubelet struct {
	stateDir   string
	pods       corelisters.PodLister
	mu         sync.Mutex
	containers map[string]map[string]*mainProcess // "ns/pod" → container → main process
	sessions   map[int]struct{}                   // exec process groups still running
	server     *http.Server
}

// New makes a kubelet whose pods live in stateDir/pods.
func New(stateDir string, pods corelisters.PodLister) *Kubelet {
	return &Kubelet{
		stateDir:   stateDir,
		pods:       pods,
		containers: map[string]map[string]*mainProcess{},
		sessions:   map[int]struct{}{},
	}
}

// Serve serves HTTPS on listener, accepting only clients with a certificate from clientCA whose common name is
// allowedClient (the apiserver's --kubelet-client-certificate): this endpoint runs arbitrary commands.
func (k *Kubelet) Serve(listener net.Listener, cert tls.Certificate, tlsConfig *tls.Config, allowedClient string) {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/exec/{ns}/{pod}", "/exec/{ns}/{pod}/{uid}"} {
		mux.HandleFunc(prefix+"/{container}", k.serveExec)
	}
	for _, prefix := range []string{"/attach/{ns}/{pod}", "/attach/{ns}/{pod}/{uid}"} {
		mux.HandleFunc(prefix+"/{container}", k.serveAttach)
	}
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", k.serveLogs)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	cfg := tlsConfig.Clone()
	cfg.Certificates = []tls.Certificate{cert}
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	k.server = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != allowedClient {
				http.Error(w, "Forbidden", http.StatusForbidden)
				return
			}
			mux.ServeHTTP(w, r)
		}),
		TLSConfig: cfg,
		// No HTTP/2: exec and attach are HTTP/1.1 upgrades.
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() { _ = k.server.ServeTLS(listener, "", "") }()
}

// Shutdown stops serving and kills every process.
func (k *Kubelet) Shutdown() {
	if k.server != nil {
		_ = k.server.Close()
	}
	k.Close()
}

func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	opts, err := streaming.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, _, ok := k.podForRequest(w, r)
	if !ok {
		return
	}
	streaming.ServeExec(w, r, k, fullName(pod), types.UID(r.PathValue("uid")), r.PathValue("container"),
		r.URL.Query()["command"], opts, idleTimeout, streamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

func (k *Kubelet) serveAttach(w http.ResponseWriter, r *http.Request) {
	opts, err := streaming.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, container, ok := k.podForRequest(w, r)
	if !ok {
		return
	}
	if _, err := k.mainProcess(pod.Namespace, pod.Name, container.Name); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	streaming.ServeAttach(w, r, k, fullName(pod), types.UID(r.PathValue("uid")), container.Name, opts,
		idleTimeout, streamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	pod, container, ok := k.podForRequest(w, r)
	if !ok {
		return
	}
	p, err := k.mainProcess(pod.Namespace, pod.Name, container.Name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	if r.URL.Query().Get("follow") != "true" {
		_, _ = w.Write(p.stdout.snapshot())
		return
	}
	ch, past := p.stdout.subscribe()
	defer p.stdout.unsubscribe(ch)
	flusher, _ := w.(http.Flusher)
	write := func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	if write(past) != nil {
		return
	}
	for {
		select {
		case chunk, open := <-ch:
			if !open || write(chunk) != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

// podForRequest finds the pod and container named in the path, answering as the kubelet does when it cannot.
func (k *Kubelet) podForRequest(w http.ResponseWriter, r *http.Request) (*v1.Pod, *v1.Container, bool) {
	pod, err := k.pods.Pods(r.PathValue("ns")).Get(r.PathValue("pod"))
	if err != nil || (r.PathValue("uid") != "" && string(pod.UID) != r.PathValue("uid")) {
		http.Error(w, "pod does not exist", http.StatusNotFound)
		return nil, nil, false
	}
	container := findContainer(pod, r.PathValue("container"))
	if container == nil {
		http.Error(w, fmt.Sprintf("container not found (%q)", r.PathValue("container")), http.StatusInternalServerError)
		return nil, nil, false
	}
	return pod, container, true
}

// lookupFullName resolves the kubelet's pod full name ("name_namespace") as the streaming handlers pass it back.
func (k *Kubelet) lookupFullName(podFullName string, uid types.UID, containerName string) (*v1.Pod, *v1.Container, error) {
	i := strings.LastIndex(podFullName, "_")
	if i < 0 {
		return nil, nil, fmt.Errorf("bad pod full name %q", podFullName)
	}
	pod, err := k.pods.Pods(podFullName[i+1:]).Get(podFullName[:i])
	if apierrors.IsNotFound(err) || (err == nil && uid != "" && pod.UID != uid) {
		return nil, nil, fmt.Errorf("pod %s not found", podFullName)
	} else if err != nil {
		return nil, nil, err
	}
	container := findContainer(pod, containerName)
	if container == nil {
		return nil, nil, fmt.Errorf("container not found (%q)", containerName)
	}
	return pod, container, nil
}

func fullName(pod *v1.Pod) string { return pod.Name + "_" + pod.Namespace }

func findContainer(pod *v1.Pod, name string) *v1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	// Ephemeral containers can be exec'd into and attached to as well; their common part is a Container.
	for i := range pod.Spec.EphemeralContainers {
		if pod.Spec.EphemeralContainers[i].Name == name {
			return (*v1.Container)(&pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		}
	}
	return nil
}
