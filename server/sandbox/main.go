// porthole-sandbox runs one command in a new Linux user namespace in which it is root (uid/gid 0) while the
// host sees it as nobody (65534), as a pod with `hostUsers: false` is run. It stays the parent because only a
// process outside the new namespace may write a 0→65534 mapping. Standard streams and the controlling terminal
// are simply inherited; the exit code is forwarded (128+N when the command dies of signal N).
//
// Usage: porthole-sandbox [--probe] -- COMMAND [ARG...]
//
// --probe only checks that the kernel allows the namespace (runs nothing, exit 0 when it does).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

const hostID = 65534 // nobody / nogroup

// exiting is held by whoever ends the process, so a session kill in progress is not cut short by main's exit.
var exiting sync.Mutex

func main() {
	args := os.Args[1:]
	probe := false
	for len(args) > 0 && args[0] != "--" {
		if args[0] == "--probe" {
			probe = true
			args = args[1:]
			continue
		}
		fail(fmt.Sprintf("unknown option %q", args[0]))
	}
	if len(args) > 0 {
		args = args[1:]
	}
	if probe {
		args = []string{"/bin/true"}
	}
	if len(args) == 0 {
		fail("no command given (usage: porthole-sandbox -- COMMAND [ARG...])")
	}

	// If the server that started us dies without hanging us up (a crash, a killed test worker), go with it:
	// SIGHUP to us when our parent exits, and SIGKILL to the command when we exit. No pod outlives its server.
	parent := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGHUP), 0); errno != 0 {
		fail("prctl(PR_SET_PDEATHSIG): " + errno.Error())
	}
	if os.Getppid() != parent {
		fail("the parent exited before the sandbox started")
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
		Pdeathsig:   syscall.SIGKILL,
	}

	// Catch (rather than ignore) the signals: ignored dispositions would be inherited by the command. Signals a
	// terminal raises (INT, QUIT, TSTP, WINCH...) already reach the command through its process group, so only
	// the ones a supervisor sends to us on purpose are forwarded.
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2,
		syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGWINCH)

	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	go func() {
		for s := range signals {
			if s == syscall.SIGHUP && os.Getppid() != parent {
				// Our server died: take every process of this pod session with us, background jobs included.
				// Holding `exiting` keeps main from exiting (the command's death ends Wait) halfway through.
				exiting.Lock()
				killSession(cmd.Process.Pid)
				os.Exit(128 + int(syscall.SIGHUP))
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

// killSession ends every process in our session (we lead it: our spawner called setsid), or the command alone when
// we do not lead one. Everyone is stopped first so that no shell loop can start a new child in between.
func killSession(command int) {
	self := os.Getpid()
	if sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0); errno != 0 || int(sid) != self {
		_ = syscall.Kill(command, syscall.SIGKILL)
		return
	}
	for _, signal := range []syscall.Signal{syscall.SIGSTOP, syscall.SIGKILL} {
		for _, pid := range sessionMembers(self) {
			_ = syscall.Kill(pid, signal)
		}
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
		if len(fields) > 3 && fields[3] == strconv.Itoa(sid) {
			members = append(members, pid)
		}
	}
	return members
}

func fail(message string) {
	fmt.Fprintf(os.Stderr, "porthole-sandbox: %s\n", message)
	os.Exit(125)
}
