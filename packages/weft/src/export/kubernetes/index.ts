/** Kubernetes export: manifests per executor (ConfigMap, Service, Deployment or StatefulSet, HPA) and the gateway. */
export { kubernetesExporter } from './kubernetes-exporter.js';
export { kubernetesManifests, type Manifests, manifestYaml, WORKSPACE_STORAGE } from './kubernetes-manifests.js';
export { K8S_PORT, PRESTOP_SECONDS, TERMINATION_GRACE_SECONDS } from './pod-spec.js';
