// typecheck runs upstream's ValidatingAdmissionPolicy TypeChecker (k8s.io/apiserver, used as a library) the way
// kube-controller-manager's validatingadmissionpolicy-status controller configures it: schemas from the built-in
// OpenAPI definitions (k8s.io/kubernetes pkg/generated/openapi) of the client-go and apiextensions schemes. The
// RESTMapper is built from the resources given on stdin instead of discovery (no CRDs, no aggregated APIs).
//
// stdin: {"mappings": [{"Group","Version","Resource","Kind"}], "policies": [ValidatingAdmissionPolicy]}
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
	k8sscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubernetes/pkg/generated/openapi"
)

type mapping struct {
	Group, Version, Resource, Kind string
}

type input struct {
	Mappings []mapping                                           `json:"mappings"`
	Policies []admissionregistrationv1.ValidatingAdmissionPolicy `json:"policies"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	rm := meta.NewDefaultRESTMapper(nil)
	for _, m := range in.Mappings {
		gv := schema.GroupVersion{Group: m.Group, Version: m.Version}
		rm.AddSpecific(gv.WithKind(m.Kind), gv.WithResource(m.Resource), gv.WithResource(strings.ToLower(m.Kind)), meta.RESTScopeNamespace)
	}
	tc := &validating.TypeChecker{
		SchemaResolver: resolver.NewDefinitionsSchemaResolver(openapi.GetOpenAPIDefinitions, k8sscheme.Scheme, apiextensionsscheme.Scheme),
		RestMapper:     rm,
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
