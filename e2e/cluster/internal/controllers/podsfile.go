package controllers

import (
	"fmt"
	"os"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// podsFile is the pods file of Porthole's local cluster (server/local-cluster/pods.yaml): namespaces, each with
// pods whose containers use Pod field names. Reading the same file makes the harness run the same pods, so a test
// can be pointed at either cluster. Ephemeral containers are not created here.
type podsFile struct {
	Namespaces []struct {
		Name string `json:"name"`
		Pods []struct {
			Name           string            `json:"name"`
			Labels         map[string]string `json:"labels"`
			Annotations    map[string]string `json:"annotations"`
			InitContainers []v1.Container    `json:"initContainers"`
			Containers     []v1.Container    `json:"containers"`
		} `json:"pods"`
	} `json:"namespaces"`
}

// ReadPodsFile returns the namespaces and pods of a local-cluster pods file, bound to nodeName.
func ReadPodsFile(file, nodeName string) ([]string, []*v1.Pod, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	var f podsFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	no := false
	var namespaces []string
	var pods []*v1.Pod
	for _, ns := range f.Namespaces {
		namespaces = append(namespaces, ns.Name)
		for _, p := range ns.Pods {
			pods = append(pods, &v1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: p.Name, Labels: p.Labels, Annotations: p.Annotations},
				Spec: v1.PodSpec{
					NodeName:                     nodeName,
					AutomountServiceAccountToken: &no,
					InitContainers:               p.InitContainers,
					Containers:                   p.Containers,
				},
			})
		}
	}
	if len(pods) == 0 {
		return nil, nil, fmt.Errorf("%s: no pods", file)
	}
	return namespaces, pods, nil
}
