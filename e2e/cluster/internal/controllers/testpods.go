package controllers

import (
	"context"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestNamespaces are the namespaces of TestPods.
var TestNamespaces = []string{"default", "team-a"}

// TestPods are the pods a run starts with when no pods file is given, bound to nodeName: an interactive shell, a
// ticker to attach to, a pod with several containers, and a pod in a second namespace.
func TestPods(nodeName string) []*v1.Pod {
	no := false
	sleeper := []string{"/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"}
	pod := func(namespace, name string, containers ...v1.Container) *v1.Pod {
		return &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{"app": name}},
			Spec: v1.PodSpec{
				NodeName:                     nodeName,
				AutomountServiceAccountToken: &no,
				Containers:                   containers,
			},
		}
	}
	shell := pod("default", "shell", v1.Container{
		Name: "main", Image: "porthole.test/shell", Command: []string{"/bin/sh"}, Stdin: true, TTY: true,
	})
	ticker := pod("default", "ticker", v1.Container{
		Name: "main", Image: "porthole.test/ticker", Stdin: true, TTY: true,
		Command: []string{"/bin/sh", "-c", `i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done`},
	})
	multi := pod("default", "multi",
		v1.Container{Name: "app", Image: "porthole.test/app", Command: sleeper},
		v1.Container{Name: "sidecar", Image: "porthole.test/sidecar", Command: sleeper},
	)
	multi.Annotations = map[string]string{"kubectl.kubernetes.io/default-container": "app"}
	multi.Spec.InitContainers = []v1.Container{{Name: "init", Image: "porthole.test/init", Command: []string{"true"}}}
	teamA := pod("team-a", "tools", v1.Container{Name: "main", Image: "porthole.test/tools", Command: sleeper})
	return []*v1.Pod{shell, ticker, multi, teamA}
}

// CreateTestObjects creates the namespaces, their default ServiceAccounts and the pods.
func CreateTestObjects(ctx context.Context, client kubernetes.Interface, namespaces []string, pods []*v1.Pod) error {
	for _, ns := range namespaces {
		_, err := client.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		if err := EnsureDefaultServiceAccount(ctx, client, ns); err != nil {
			return err
		}
	}
	for _, p := range pods {
		if _, err := client.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
