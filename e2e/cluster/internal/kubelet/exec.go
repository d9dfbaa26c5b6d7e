package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"github.com/creack/pty"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// ExecInContainer implements the kubelet streaming Executor: the command runs as a local process, under a PTY when
// tty is set. The streams come from the kubelet's own handlers (SPDY or WebSocket v1–v4), exactly what a real
// kubelet gives its container runtime.
func (k *Kubelet) ExecInContainer(_ context.Context, podFullName string, uid types.UID, containerName string, argv []string,
	in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, _ time.Duration,
) error {
	pod, container, err := k.lookupFullName(podFullName, uid, containerName)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return errors.New("no command specified")
	}
	cmd, err := k.command(pod, container, argv, tty)
	if errors.Is(err, exec.ErrNotFound) {
		// The wording containerd+runc give a missing executable; kubectl shows it as an internal error.
		return fmt.Errorf("failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: %q: %v", argv[0], exec.ErrNotFound)
	} else if err != nil {
		return err
	}
	if tty {
		err = k.execTTY(cmd, in, out, resize)
	} else {
		err = k.execPipes(cmd, in, out, errOut)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code := exitErr.ExitCode()
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			code = 128 + int(status.Signal()) // as a shell, and a container runtime, report death by signal
		}
		// The message containerd's CRI gives; the kubelet wraps it in a NonZeroExitCode status.
		return utilexec.CodeExitError{Err: fmt.Errorf("error executing command %v, exit code %d", argv, code), Code: code}
	}
	return err
}

func (k *Kubelet) execPipes(cmd *exec.Cmd, in io.Reader, out, errOut io.WriteCloser) error {
	if out != nil {
		cmd.Stdout = out
	}
	if errOut != nil {
		cmd.Stderr = errOut
	}
	var stdin io.WriteCloser
	if in != nil {
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			return err
		}
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	untrack := k.track(cmd.Process.Pid)
	defer untrack()
	if stdin != nil {
		// stdin EOF (kubectl's input ended, or a v5 client closed stream 0) closes the process's stdin.
		go func() {
			_, _ = io.Copy(stdin, in)
			_ = stdin.Close()
		}()
	}
	return cmd.Wait()
}

func (k *Kubelet) execTTY(cmd *exec.Cmd, in io.Reader, out io.WriteCloser, resize <-chan remotecommand.TerminalSize) error {
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		return err
	}
	untrack := k.track(cmd.Process.Pid)
	defer untrack()
	exited := make(chan struct{})
	if resize != nil {
		go func() {
			for size := range resize {
				_ = pty.Setsize(ptmx, &pty.Winsize{Cols: size.Width, Rows: size.Height})
			}
			// The resize stream ends with the client's connection: hang up, as a terminal would.
			select {
			case <-exited:
			default:
				hangUp(cmd.Process.Pid, exited)
			}
		}()
	}
	if in != nil {
		go func() { _, _ = io.Copy(ptmx, in) }()
	}
	copied := make(chan struct{})
	go func() {
		if out != nil {
			_, _ = io.Copy(out, ptmx)
		} else {
			_, _ = io.Copy(io.Discard, ptmx)
		}
		close(copied)
	}()
	err = cmd.Wait()
	close(exited)
	// Drain what the process wrote before it exited; the copy ends with EIO once every holder of the terminal is
	// gone, or we stop waiting for background children that keep it open.
	select {
	case <-copied:
	case <-time.After(time.Second):
	}
	_ = ptmx.Close()
	return err
}

// track remembers a process group so Close can kill whatever is still running when the fixture stops.
func (k *Kubelet) track(pid int) func() {
	k.mu.Lock()
	k.sessions[pid] = struct{}{}
	k.mu.Unlock()
	return func() {
		k.mu.Lock()
		delete(k.sessions, pid)
		k.mu.Unlock()
	}
}
