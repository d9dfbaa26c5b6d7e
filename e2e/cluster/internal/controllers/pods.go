package controllers

import (
	"context"
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Runtime starts and stops the processes of a pod (the fake kubelet).
type Runtime interface {
	StartPod(pod *v1.Pod) error
	// StartEphemeral starts the ephemeral containers that have no process yet; true when it started one.
	StartEphemeral(pod *v1.Pod) (bool, error)
	StopPod(namespace, name string)
}

// PodLoop is the kubelet's pod lifecycle for pods bound to the fake node: start the main processes and report the
// pod Running; on graceful deletion stop them and finish the deletion.
type PodLoop struct {
	client   kubernetes.Interface
	nodeName string
	runtime  Runtime
	lister   cache.Indexer
	queue    workqueue.TypedRateLimitingInterface[string]
	log      func(string, ...any)
}

// NewPodLoop registers the loop on the factory's pod informer.
func NewPodLoop(client kubernetes.Interface, factory informers.SharedInformerFactory, nodeName string, runtime Runtime, log func(string, ...any)) (*PodLoop, error) {
	informer := factory.Core().V1().Pods().Informer()
	l := &PodLoop{
		client: client, nodeName: nodeName, runtime: runtime, lister: informer.GetIndexer(), log: log,
		queue: workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
	}
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			l.queue.Add(key)
		}
	}
	_, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, obj any) { enqueue(obj) }, DeleteFunc: enqueue,
	})
	return l, err
}

// Run processes pods until ctx ends.
func (l *PodLoop) Run(ctx context.Context) {
	go func() {
		<-ctx.Done()
		l.queue.ShutDown()
	}()
	for {
		key, quit := l.queue.Get()
		if quit {
			return
		}
		if err := l.sync(ctx, key); err != nil {
			l.log("pod %s: %v", key, err)
			l.queue.AddRateLimited(key)
		} else {
			l.queue.Forget(key)
		}
		l.queue.Done(key)
	}
}

func (l *PodLoop) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	obj, exists, err := l.lister.GetByKey(key)
	if err != nil {
		return err
	}
	if !exists {
		l.runtime.StopPod(namespace, name)
		return nil
	}
	pod, ok := obj.(*v1.Pod)
	if !ok || pod.Spec.NodeName != l.nodeName {
		return nil
	}
	if pod.DeletionTimestamp != nil {
		l.runtime.StopPod(namespace, name)
		zero := int64(0)
		err := l.client.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero,
			Preconditions:      &metav1.Preconditions{UID: &pod.UID},
		})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	}
	if pod.Status.Phase == v1.PodRunning {
		if len(pod.Status.EphemeralContainerStatuses) == len(pod.Spec.EphemeralContainers) {
			return nil
		}
		// An ephemeral container was added (kubectl debug): start it and report it Running.
		if _, err := l.runtime.StartEphemeral(pod); err != nil {
			return fmt.Errorf("starting ephemeral containers: %w", err)
		}
		_, err = l.client.CoreV1().Pods(namespace).UpdateStatus(ctx, withEphemeralStatuses(pod), metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			l.queue.Add(key)
			return nil
		}
		return err
	}
	if err := l.runtime.StartPod(pod); err != nil {
		return fmt.Errorf("starting processes: %w", err)
	}
	if _, err := l.runtime.StartEphemeral(pod); err != nil {
		return fmt.Errorf("starting ephemeral containers: %w", err)
	}
	_, err = l.client.CoreV1().Pods(namespace).UpdateStatus(ctx, withEphemeralStatuses(runningStatus(pod)), metav1.UpdateOptions{})
	if apierrors.IsConflict(err) {
		l.queue.Add(key)
		return nil
	}
	return err
}

// runningStatus is the status a kubelet reports for a started pod (pod create resets status, so this always goes
// through pods/status).
func runningStatus(pod *v1.Pod) *v1.Pod {
	now := metav1.NewTime(time.Now())
	p := pod.DeepCopy()
	p.Status.Phase = v1.PodRunning
	p.Status.HostIP = "127.0.0.1"
	p.Status.HostIPs = []v1.HostIP{{IP: "127.0.0.1"}}
	p.Status.PodIP = "127.0.0.1"
	p.Status.PodIPs = []v1.PodIP{{IP: "127.0.0.1"}}
	p.Status.StartTime = &now
	p.Status.Conditions = nil
	for _, t := range []v1.PodConditionType{v1.PodScheduled, v1.PodInitialized, v1.ContainersReady, v1.PodReady} {
		p.Status.Conditions = append(p.Status.Conditions, v1.PodCondition{Type: t, Status: v1.ConditionTrue, LastTransitionTime: now})
	}
	p.Status.InitContainerStatuses = nil
	for _, c := range pod.Spec.InitContainers {
		p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, v1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "fake://" + c.Image, Ready: true,
			ContainerID: fmt.Sprintf("fake://%s/%s", pod.UID, c.Name),
			State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now,
			}},
		})
	}
	p.Status.ContainerStatuses = nil
	started := true
	for _, c := range pod.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, v1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "fake://" + c.Image, Ready: true, Started: &started,
			ContainerID: fmt.Sprintf("fake://%s/%s", pod.UID, c.Name),
			State:       v1.ContainerState{Running: &v1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return p
}

// withEphemeralStatuses reports every ephemeral container of the pod Running (a started one keeps its startedAt).
func withEphemeralStatuses(pod *v1.Pod) *v1.Pod {
	p := pod.DeepCopy()
	known := map[string]v1.ContainerStatus{}
	for _, s := range pod.Status.EphemeralContainerStatuses {
		known[s.Name] = s
	}
	now := metav1.NewTime(time.Now())
	p.Status.EphemeralContainerStatuses = nil
	for _, c := range pod.Spec.EphemeralContainers {
		if s, ok := known[c.Name]; ok {
			p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, s)
			continue
		}
		started := true
		p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, v1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "fake://" + c.Image, Started: &started,
			ContainerID: fmt.Sprintf("fake://%s/%s", pod.UID, c.Name),
			State:       v1.ContainerState{Running: &v1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return p
}
