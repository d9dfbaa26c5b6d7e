package kubelet

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
)

// command prepares argv to run on this host "inside" a container of pod: a per-pod working directory under the
// state directory, the container's plain env values, and a process group of its own so the whole tree can be
// signalled (a terminal hang-up, or cleanup when the fixture stops).
func (k *Kubelet) command(pod *v1.Pod, container *v1.Container, argv []string, tty bool) (*exec.Cmd, error) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	dir := filepath.Join(k.stateDir, "pods", pod.Namespace, pod.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cmd.Dir = dir
	if container.WorkingDir != "" {
		if st, err := os.Stat(container.WorkingDir); err == nil && st.IsDir() {
			cmd.Dir = container.WorkingDir
		}
	}
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + dir,
		"HOSTNAME=" + pod.Name,
	}
	if tty {
		cmd.Env = append(cmd.Env, "TERM=xterm")
	}
	for _, e := range container.Env {
		if e.ValueFrom == nil {
			cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
		}
	}
	// With a PTY, creack/pty sets Setsid+Setctty itself; without one, a new process group is enough.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: !tty, Pdeathsig: syscall.SIGKILL}
	// Do not wait forever for grandchildren that keep our pipes open after the command itself exited.
	cmd.WaitDelay = 2 * time.Second
	return cmd, nil
}

// hangUp does what closing a terminal does to its session: SIGHUP to the process group, SIGKILL if it is still
// there after a grace period.
func hangUp(pid int, exited <-chan struct{}) {
	_ = syscall.Kill(-pid, syscall.SIGHUP)
	_ = syscall.Kill(-pid, syscall.SIGCONT)
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
