// Validates rendered Kubernetes manifests offline: every core object against the Kubernetes API schemas
// (kubernetes-models, generated from the official OpenAPI), the ServiceMonitor against the Prometheus Operator's,
// and KServe's ServingRuntime and InferenceService against the fields KServe requires (their CRD schemas are not
// reachable from CI). Usage (from the tools directory, where the packages are): node validate.mjs <file.yaml>...;
// exit status 1 on the first invalid object.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { Service, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const models = {
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function need(cond, what, doc) {
  if (!cond) {
    throw new Error(`${doc.kind} ${doc.metadata?.name}: ${what}`);
  }
}

const kserve = {
  'serving.kserve.io/v1alpha1/ClusterServingRuntime': (d) => {
    const c = d.spec?.containers ?? [];
    need(c.length > 0 && c[0].name === 'kserve-container', 'spec.containers[0].name must be kserve-container', d);
    need(typeof c[0].image === 'string' && c[0].image.length > 0, 'the container needs an image', d);
    need((d.spec.supportedModelFormats ?? []).every((f) => typeof f.name === 'string'), 'supportedModelFormats need names', d);
    need((d.spec.protocolVersions ?? []).includes('v2'), 'protocolVersions must include v2', d);
    need((c[0].ports ?? []).some((p) => p.containerPort === 8080), 'the container must expose 8080', d);
  },
  'serving.kserve.io/v1beta1/InferenceService': (d) => {
    const m = d.spec?.predictor?.model;
    need(m && typeof m.modelFormat?.name === 'string', 'spec.predictor.model.modelFormat.name is required', d);
    need(typeof m.storageUri === 'string' && /^(pvc|s3|gs|https?):\/\//.test(m.storageUri), 'spec.predictor.model.storageUri must be a storage URI', d);
    need(['v1', 'v2', 'grpc-v2', undefined].includes(m.protocolVersion), 'protocolVersion must be v1, v2 or grpc-v2', d);
  },
};

let count = 0;
for (const file of process.argv.slice(2)) {
  for (const document of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    const doc = document.toJS();
    if (!doc) continue;
    const key = `${doc.apiVersion}/${doc.kind}`;
    try {
      if (models[key]) {
        new models[key](doc).validate();
      } else if (kserve[key]) {
        kserve[key](doc);
      } else {
        throw new Error(`no schema known for ${key}`);
      }
    } catch (e) {
      console.error(`${file}: ${key} ${doc.metadata?.name}: ${e.message}`);
      process.exit(1);
    }
    count++;
  }
}
console.log(`${count} objects valid`);
