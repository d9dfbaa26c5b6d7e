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
	"syscall"
)

const hostID = 65534 // nobody / nogroup

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

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostID, Size: 1}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
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
			switch s {
			case syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2:
				_ = cmd.Process.Signal(s)
			}
		}
	}()

	err := cmd.Wait()
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

func fail(message string) {
	fmt.Fprintf(os.Stderr, "porthole-sandbox: %s\n", message)
	os.Exit(125)
}
