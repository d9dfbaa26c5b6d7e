package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/remotecommand"
)

// mainProcess is a container's main process (its command+args, /bin/sh by default), started when the pod is
// bound to the fake node. Attach connects clients to it; its output is also the container log.
type mainProcess struct {
	cmd    *exec.Cmd
	tty    bool
	ptmx   *os.File       // with tty
	stdin  io.WriteCloser // without tty, when the container has stdin: true
	stdout *output        // with tty: the terminal's output
	stderr *output
	exited chan struct{}
	inMu   sync.Mutex // one writer at a time, as a terminal has
}

func podKey(namespace, name string) string { return namespace + "/" + name }

// StartPod starts the main process of every (non-init) container of pod unless already running.
func (k *Kubelet) StartPod(pod *v1.Pod) error {
	key := podKey(pod.Namespace, pod.Name)
	k.mu.Lock()
	running := k.containers[key] != nil
	k.mu.Unlock()
	if running {
		return nil
	}
	// The pod loop has one worker, so a pod is never started twice concurrently.
	for i := range pod.Spec.InitContainers {
		if err := k.runInit(pod, &pod.Spec.InitContainers[i]); err != nil {
			return fmt.Errorf("init container %s: %w", pod.Spec.InitContainers[i].Name, err)
		}
	}
	procs := map[string]*mainProcess{}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		p, err := k.startMain(pod, c)
		if err != nil {
			for _, started := range procs {
				started.kill()
			}
			return fmt.Errorf("container %s: %w", c.Name, err)
		}
		procs[c.Name] = p
	}
	k.mu.Lock()
	k.containers[key] = procs
	k.mu.Unlock()
	return nil
}

// StartEphemeral starts the ephemeral containers of a running pod that have no process yet (never restarted, as
// the kubelet does); it reports whether it started any. The process runs like any other container's here: the fake
// node has no namespaces to share, so targetContainerName changes nothing.
func (k *Kubelet) StartEphemeral(pod *v1.Pod) (bool, error) {
	key := podKey(pod.Namespace, pod.Name)
	started := false
	for i := range pod.Spec.EphemeralContainers {
		c := (*v1.Container)(&pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		k.mu.Lock()
		procs := k.containers[key]
		have := procs == nil || procs[c.Name] != nil
		k.mu.Unlock()
		if have {
			continue
		}
		p, err := k.startMain(pod, c)
		if err != nil {
			return started, fmt.Errorf("ephemeral container %s: %w", c.Name, err)
		}
		k.mu.Lock()
		if k.containers[key] == nil {
			k.mu.Unlock()
			p.kill()
			return started, nil
		}
		k.containers[key][c.Name] = p
		k.mu.Unlock()
		started = true
	}
	return started, nil
}

// StopPod kills the main processes of a pod (its deletion).
func (k *Kubelet) StopPod(namespace, name string) {
	k.mu.Lock()
	procs := k.containers[podKey(namespace, name)]
	delete(k.containers, podKey(namespace, name))
	k.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
}

// runInit runs an init container to completion, as the kubelet does before it starts the containers.
func (k *Kubelet) runInit(pod *v1.Pod, c *v1.Container) error {
	argv := append(append([]string{}, c.Command...), c.Args...)
	if len(argv) == 0 {
		return nil
	}
	cmd, err := k.command(pod, c, argv, false)
	if err != nil {
		return err
	}
	timer := time.AfterFunc(30*time.Second, func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	defer timer.Stop()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

func (k *Kubelet) startMain(pod *v1.Pod, c *v1.Container) (*mainProcess, error) {
	argv := append(append([]string{}, c.Command...), c.Args...)
	if len(c.Command) == 0 {
		argv = append([]string{"/bin/sh"}, c.Args...)
	}
	cmd, err := k.command(pod, c, argv, c.TTY)
	if err != nil {
		return nil, err
	}
	p := &mainProcess{cmd: cmd, tty: c.TTY, stdout: newOutput(), stderr: newOutput(), exited: make(chan struct{})}
	if c.TTY {
		if p.ptmx, err = pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24}); err != nil {
			return nil, err
		}
		go func() { _, _ = io.Copy(p.stdout, p.ptmx) }()
	} else {
		cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
		if c.Stdin {
			if p.stdin, err = cmd.StdinPipe(); err != nil {
				return nil, err
			}
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
		p.stdout.close()
		p.stderr.close()
	}()
	return p, nil
}

func (p *mainProcess) kill() {
	select {
	case <-p.exited:
	default:
		hangUp(p.cmd.Process.Pid, p.exited)
	}
	if p.ptmx != nil {
		_ = p.ptmx.Close()
	}
}

func (k *Kubelet) mainProcess(namespace, name, container string) (*mainProcess, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.containers[podKey(namespace, name)][container]
	if p == nil {
		return nil, fmt.Errorf("container %s not found in pod %s_%s", container, name, namespace)
	}
	return p, nil
}

// AttachContainer implements the kubelet streaming Attacher: the client sees the main process's output from now
// on, its input goes to the process's stdin (or terminal), and resizes resize the terminal. It returns when the
// client leaves; the process keeps running.
func (k *Kubelet) AttachContainer(_ context.Context, podFullName string, uid types.UID, containerName string,
	in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize,
) error {
	pod, _, err := k.lookupFullName(podFullName, uid, containerName)
	if err != nil {
		return err
	}
	p, err := k.mainProcess(pod.Namespace, pod.Name, containerName)
	if err != nil {
		return err
	}
	select {
	case <-p.exited:
		return errors.New("cannot attach to a container that is not running")
	default:
	}
	done := make(chan error, 3)
	var subs []func()
	follow := func(o *output, w io.Writer) {
		ch, _ := o.subscribe()
		subs = append(subs, func() { o.unsubscribe(ch) })
		go func() { done <- pump(ch, w) }()
	}
	if out != nil {
		follow(p.stdout, out)
	}
	if errOut != nil && !p.tty {
		follow(p.stderr, errOut)
	}
	defer func() {
		for _, unsubscribe := range subs {
			unsubscribe()
		}
	}()
	if in != nil {
		go func() {
			var target io.Writer = io.Discard
			if p.ptmx != nil {
				target = p.ptmx
			} else if p.stdin != nil {
				target = p.stdin
			}
			_, err := io.Copy(writerFunc(func(b []byte) (int, error) {
				p.inMu.Lock()
				defer p.inMu.Unlock()
				return target.Write(b)
			}), in)
			// The client's input ended: it detached (the container's stdin stays open, stdinOnce is not modelled).
			done <- err
		}()
	}
	if resize != nil && p.ptmx != nil {
		go func() {
			for size := range resize {
				_ = pty.Setsize(p.ptmx, &pty.Winsize{Cols: size.Width, Rows: size.Height})
			}
		}()
	}
	select {
	case <-done:
	case <-p.exited:
	}
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Close kills every process the fake kubelet started.
func (k *Kubelet) Close() {
	k.mu.Lock()
	pods := k.containers
	k.containers = map[string]map[string]*mainProcess{}
	sessions := k.sessions
	k.sessions = map[int]struct{}{}
	k.mu.Unlock()
	for pid := range sessions {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	for _, procs := range pods {
		for _, p := range procs {
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}
