// typecheck runs upstream's ValidatingAdmissionPolicy TypeChecker (k8s.io/apiserver, used as a library) the way
// kube-controller-manager's validatingadmissionpolicy-status controller configures it: schemas from the built-in
// OpenAPI definitions (k8s.io/kubernetes pkg/generated/openapi) of the client-go and apiextensions schemes. The
// RESTMapper is built from the resources given on stdin; with a kubeconfig instead, it is the controller's own:
// a deferred discovery RESTMapper of that apiserver, and schemas not in the definitions come from its
// /openapi/v3 (ClientDiscoveryResolver), exactly as startValidatingAdmissionPolicyStatusController builds them.
//
// stdin: {"mappings": [{"Group","Version","Resource","Kind"}] | "kubeconfig": "path",
//
//	"policies": [ValidatingAdmissionPolicy]}
//
// stdout: one []ExpressionWarning per policy, what the controller writes to status.typeChecking.
//
// Used by e2e/cluster/typecheck-differential.test.ts.
package main

import (
	"encoding/json"
	"os"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsscheme "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset/scheme"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	k8sscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/kubernetes/pkg/generated/openapi"
)

type mapping struct {
	Group, Version, Resource, Kind string
}

type input struct {
	Mappings   []mapping                                           `json:"mappings"`
	Kubeconfig string                                              `json:"kubeconfig"`
	Policies   []admissionregistrationv1.ValidatingAdmissionPolicy `json:"policies"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	definitions := resolver.NewDefinitionsSchemaResolver(openapi.GetOpenAPIDefinitions, k8sscheme.Scheme, apiextensionsscheme.Scheme)
	tc := &validating.TypeChecker{SchemaResolver: definitions}
	if in.Kubeconfig != "" {
		config, err := clientcmd.BuildConfigFromFlags("", in.Kubeconfig)
		if err != nil {
			panic(err)
		}
		dc := discovery.NewDiscoveryClientForConfigOrDie(config)
		tc.SchemaResolver = definitions.Combine(&resolver.ClientDiscoveryResolver{Discovery: dc})
		tc.RestMapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	} else {
		rm := meta.NewDefaultRESTMapper(nil)
		for _, m := range in.Mappings {
			gv := schema.GroupVersion{Group: m.Group, Version: m.Version}
			rm.AddSpecific(gv.WithKind(m.Kind), gv.WithResource(m.Resource), gv.WithResource(strings.ToLower(m.Kind)), meta.RESTScopeNamespace)
		}
		tc.RestMapper = rm
	}
	out := make([][]admissionregistrationv1.ExpressionWarning, 0, len(in.Policies))
	for i := range in.Policies {
		w := tc.Check(&in.Policies[i])
		if w == nil {
			w = []admissionregistrationv1.ExpressionWarning{}
		}
		out = append(out, w)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
