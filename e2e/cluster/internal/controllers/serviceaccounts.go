package controllers

import (
	"context"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// WatchServiceAccounts creates the "default" ServiceAccount in every namespace, as kube-controller-manager's
// serviceaccount controller would; without it the ServiceAccount admission plugin rejects every pod.
func WatchServiceAccounts(ctx context.Context, client kubernetes.Interface, factory informers.SharedInformerFactory, log func(string, ...any)) error {
	_, err := factory.Core().V1().Namespaces().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			ns, ok := obj.(*v1.Namespace)
			if !ok || ns.DeletionTimestamp != nil {
				return
			}
			if err := EnsureDefaultServiceAccount(ctx, client, ns.Name); err != nil {
				log("default ServiceAccount in %s: %v", ns.Name, err)
			}
		},
	})
	return err
}

// EnsureDefaultServiceAccount creates namespace/default unless it exists.
func EnsureDefaultServiceAccount(ctx context.Context, client kubernetes.Interface, namespace string) error {
	sa := &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: namespace}}
	_, err := client.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
