// porthole-sandbox runs one command in a new Linux user namespace in which it is root (uid/gid 0) while the
// host sees it as nobody (65534), as a pod with `hostUsers: false` is run. It stays the parent because only a
// process outside the new namespace may write a 0→65534 mapping. Standard streams and the controlling terminal
// are simply inherited; the exit code is forwarded (128+N when the command dies of signal N).
//
// Usage: porthole-sandbox [--probe] [--parent PID] [--pid-namespace | --join PID] -- COMMAND [ARG...]
//
// --probe only checks that the kernel allows the namespace (runs nothing, exit 0 when it does).
// --pid-namespace also gives the command a PID and mount namespace of its own (a container's): our own binary runs
// as its PID 1 (`--init`), mounts a /proc that shows only that namespace, and starts the command as its child.
// --join PID runs the command in the user, PID and mount namespaces of process PID (an exec into a container, or
// an ephemeral container with targetContainerName), through util-linux nsenter: joining a user namespace needs a
// single-threaded process, which a Go program is not.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const hostID = 65534 // nobody / nogroup

// exiting is held by whoever ends the process, so a session kill in progress is not cut short by main's exit.
var exiting sync.Mutex

// parent is who started us; PR_SET_PDEATHSIG is armed in init so that it applies to the main thread.
var parent int

// parentDeath is SIGRTMIN+6: unused by the Go runtime and never sent by the server.
const parentDeath = syscall.Signal(40)

// If the server that started us dies without hanging us up (a crash, a killed test worker), go with it: the kernel
// sends us parentDeath when the server's thread that started us exits, and the command SIGKILL when we exit. A
// signal of its own, because a multi-threaded parent (node) is still our parent (getppid) for a moment after its
// main thread died, so the ordinary SIGHUP of a hang-up cannot be told apart from this one. The parent-death
// signal belongs to a thread, so this runs on the main thread, and main stays on it (LockOSThread in init) to
// start the command from the thread its own parent-death signal refers to.
func init() {
	runtime.LockOSThread()
	parent = os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(parentDeath), 0); errno != 0 {
		fail("prctl(PR_SET_PDEATHSIG): " + errno.Error())
	}
}

func main() {
	args := os.Args[1:]
	if len(args) > 1 && args[0] == "--init" && args[1] == "--" {
		runInit(args[2:], true)
	}
	if len(args) > 1 && args[0] == "--foreground" && args[1] == "--" {
		runInit(args[2:], false)
	}
	probe := false
	pidNamespace := false
	join := 0
	for len(args) > 0 && args[0] != "--" {
		switch {
		case args[0] == "--probe":
			probe = true
			args = args[1:]
		case args[0] == "--pid-namespace":
			pidNamespace = true
			args = args[1:]
		case args[0] == "--join" && len(args) > 1:
			pid, err := strconv.Atoi(args[1])
			if err != nil || pid <= 0 {
				fail(fmt.Sprintf("--join %q is not a pid", args[1]))
			}
			join = pid
			args = args[2:]
		case args[0] == "--parent" && len(args) > 1:
			// The server's pid: if it died before our parent-death signal was armed, we were already
			// reparented and must not start anything.
			expected, err := strconv.Atoi(args[1])
			if err != nil {
				fail(fmt.Sprintf("--parent %q is not a pid", args[1]))
			}
			parent = expected
			args = args[2:]
		default:
			fail(fmt.Sprintf("unknown option %q", args[0]))
		}
	}
	if len(args) > 0 {
		args = args[1:]
	}
	if probe {
		args = []string{"/bin/true"}
		pidNamespace = true
	}
	if len(args) == 0 {
		fail("no command given (usage: porthole-sandbox -- COMMAND [ARG...])")
	}

	if os.Getppid() != parent {
		fail("the parent exited before the sandbox started")
	}

	var cmd *exec.Cmd
	switch {
	case join > 0:
		nsenter, err := exec.LookPath("nsenter")
		if err != nil {
			fail("--join needs util-linux nsenter: " + err.Error())
		}
		// Without --preserve-credentials nsenter becomes uid/gid 0 of the joined user namespace.
		self, err := os.Executable()
		if err != nil {
			fail(err.Error())
		}
		// Inside, our own binary (--foreground) gives the command a process group the namespace can see.
		cmd = exec.Command(nsenter, append([]string{"--target", strconv.Itoa(join), "--user", "--pid", "--mount", "--", self, "--foreground", "--"}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	case pidNamespace:
		self, err := os.Executable()
		if err != nil {
			fail(err.Error())
		}
		cmd = exec.Command(self, append([]string{"--init", "--"}, args...)...)
		cmd.SysProcAttr = userNamespace(syscall.CLONE_NEWPID | syscall.CLONE_NEWNS)
	default:
		cmd = exec.Command(args[0], args[1:]...)
		cmd.SysProcAttr = userNamespace(0)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr

	// Catch (rather than ignore) the signals: ignored dispositions would be inherited by the command. Signals a
	// terminal raises (INT, QUIT, TSTP, WINCH...) already reach the command through its process group, so only
	// the ones a supervisor sends to us on purpose are forwarded.
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, parentDeath, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2,
		syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGWINCH)

	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	go func() {
		for s := range signals {
			if s == parentDeath {
				// Our server died: take every process of this pod session with us, background jobs included.
				// Holding `exiting` keeps main from exiting (the command's death ends Wait) halfway through.
				exiting.Lock()
				killSession(cmd.Process.Pid)
				os.Exit(128 + int(syscall.SIGKILL))
			}
			switch s {
			case syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2:
				_ = cmd.Process.Signal(s)
			}
		}
	}()

	err := cmd.Wait()
	exiting.Lock()
	if err == nil {
		os.Exit(0)
	}
	if exit, ok := err.(*exec.ExitError); ok {
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			os.Exit(128 + int(status.Signal()))
		}
		os.Exit(exit.ExitCode())
	}
	fail(err.Error())
}

func userNamespace(extra uintptr) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | extra,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
		Pdeathsig:   syscall.SIGKILL,
	}
}

// runInit is PID 1 of a container's PID namespace (mountProc: it mounts that namespace's /proc; mount changes stay
// in the container's mount namespace), or the first process of an exec that joined one. It starts the command —
// on a terminal in a process group of its own in the foreground, since a shell restores the terminal's foreground
// group on exit and the one it inherited is outside the namespace (dash exits 2 when it cannot) — passes on the
// signals a supervisor sends (PID 1 gets none it has no handler for), reaps what is reparented to it, and exits
// as the command did.
func runInit(args []string, mountProc bool) {
	if len(args) == 0 {
		fail("no command")
	}
	if mountProc {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			fail("making / private: " + err.Error())
		}
		if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
			fail("mounting /proc: " + err.Error())
		}
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGINT,
		syscall.SIGQUIT, syscall.SIGCHLD)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if isTerminal(0) {
		// tcsetpgrp from a background group raises SIGTTOU: ignored while the child is started.
		signal.Ignore(syscall.SIGTTOU)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: 0}
	}
	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	child := cmd.Process.Pid
	for s := range signals {
		if s != syscall.SIGCHLD {
			_ = syscall.Kill(child, s.(syscall.Signal))
			continue
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if err != nil || pid <= 0 {
				break
			}
			if pid != child {
				continue
			}
			if status.Signaled() {
				os.Exit(128 + int(status.Signal()))
			}
			os.Exit(status.ExitStatus())
		}
	}
}

func isTerminal(fd uintptr) bool {
	var termios syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&termios)))
	return errno == 0
}

// killSession ends every process in our session (we lead it: our spawner called setsid), or the command alone when
// we do not lead one. Everyone is stopped before being killed so that no shell loop starts a new child in between.
func killSession(command int) {
	self := os.Getpid()
	if sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0); errno != 0 || int(sid) != self {
		_ = syscall.Kill(command, syscall.SIGKILL)
		return
	}
	// A fork that was under way when we looked completes afterwards: look again until nobody is left.
	for attempt := 0; attempt < 100; attempt++ {
		members := sessionMembers(self)
		if len(members) == 0 {
			return
		}
		for _, signal := range []syscall.Signal{syscall.SIGSTOP, syscall.SIGKILL} {
			for _, pid := range members {
				_ = syscall.Kill(pid, signal)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sessionMembers lists the other processes whose session id is sid (from /proc/PID/stat).
func sessionMembers(sid int) []int {
	var members []int
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == sid {
			continue
		}
		stat, err := os.ReadFile("/proc/" + entry.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after "(comm)": state ppid pgrp session ...
		text := string(stat)
		end := strings.LastIndexByte(text, ')')
		if end < 0 || end+2 > len(text) {
			continue
		}
		fields := strings.Fields(text[end+2:])
		// A zombie is already dead (ours stay until we exit; others' are reaped by whoever adopted them).
		if len(fields) > 3 && fields[0] != "Z" && fields[3] == strconv.Itoa(sid) {
			members = append(members, pid)
		}
	}
	return members
}

func fail(message string) {
	fmt.Fprintf(os.Stderr, "porthole-sandbox: %s\n", message)
	os.Exit(125)
}
