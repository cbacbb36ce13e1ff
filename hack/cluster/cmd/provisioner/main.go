// Command provisioner is the e2e cluster's storage provisioner: it runs on
// the host, watches PersistentVolumeClaims of its StorageClass, and creates a
// hostPath PersistentVolume under --dir for each (when the scheduler has
// chosen a node, for WaitForFirstConsumer), the way Rancher's
// local-path-provisioner does; when a volume is released (its claim was
// deleted with the PipelineRun or Workflow that owned it) it deletes the
// directory and the volume. Directories are created mode 0777, as
// local-path-provisioner does: fsGroup does not apply to hostPath volumes.
//
//	provisioner --kubeconfig admin.kubeconfig --dir /var/lib/tollgate-e2e/volumes --node tollgate-e2e
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Name is the provisioner name StorageClasses name.
const Name = "tollgate.dev/hostpath"

const (
	annProvisionedBy = "pv.kubernetes.io/provisioned-by"
	annSelectedNode  = "volume.kubernetes.io/selected-node"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	dir := flag.String("dir", "", "directory holding the volumes")
	node := flag.String("node", "", "the node the volumes live on")
	interval := flag.Duration("interval", time.Second, "how often to look for claims")
	flag.Parse()
	if *kubeconfig == "" || *dir == "" || *node == "" {
		log.Fatal("provisioner: --kubeconfig, --dir and --node are required")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("provisioner: %v", err)
	}
	cfg.Timeout = 15 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		log.Fatalf("provisioner: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	p := &provisioner{cs: cs, dir: *dir, node: *node}
	log.Printf("provisioner %s: volumes in %s on node %s", Name, *dir, *node)
	t := time.NewTicker(*interval)
	defer t.Stop()
	for {
		if err := p.once(ctx); err != nil && ctx.Err() == nil {
			log.Printf("provisioner: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type provisioner struct {
	cs   kubernetes.Interface
	dir  string
	node string
}

// classes returns our StorageClasses' binding modes by name.
func (p *provisioner) classes(ctx context.Context) (map[string]bool, error) {
	scs, err := p.cs.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{} // name -> wait for first consumer
	for _, sc := range scs.Items {
		if sc.Provisioner == Name {
			out[sc.Name] = sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == "WaitForFirstConsumer"
		}
	}
	return out, nil
}

func (p *provisioner) once(ctx context.Context) error {
	classes, err := p.classes(ctx)
	if err != nil {
		return err
	}
	pvcs, err := p.cs.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range pvcs.Items {
		c := &pvcs.Items[i]
		if c.Status.Phase != corev1.ClaimPending || c.Spec.VolumeName != "" || c.DeletionTimestamp != nil || c.Spec.StorageClassName == nil {
			continue
		}
		wait, ours := classes[*c.Spec.StorageClassName]
		if !ours || (wait && c.Annotations[annSelectedNode] == "") {
			continue
		}
		if err := p.provision(ctx, c, *c.Spec.StorageClassName); err != nil {
			log.Printf("provision %s/%s: %v", c.Namespace, c.Name, err)
		}
	}
	pvs, err := p.cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range pvs.Items {
		v := &pvs.Items[i]
		if v.Annotations[annProvisionedBy] != Name || v.Status.Phase != corev1.VolumeReleased || v.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
			continue
		}
		if err := p.delete(ctx, v); err != nil {
			log.Printf("delete %s: %v", v.Name, err)
		}
	}
	return nil
}

func (p *provisioner) provision(ctx context.Context, c *corev1.PersistentVolumeClaim, class string) error {
	name := "pvc-" + string(c.UID)
	path := filepath.Join(p.dir, name)
	if err := os.MkdirAll(path, 0o777); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o777); err != nil {
		return err
	}
	size := c.Spec.Resources.Requests[corev1.ResourceStorage]
	hostPathType := corev1.HostPathDirectory
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: Name}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   c.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              class,
			VolumeMode:                    c.Spec.VolumeMode,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: c.Namespace, Name: c.Name, UID: c.UID, ResourceVersion: c.ResourceVersion},
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path, Type: &hostPathType}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{p.node}}},
			}}}},
		},
	}
	_, err := p.cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err == nil {
		log.Printf("provisioned %s for %s/%s (%s)", name, c.Namespace, c.Name, size.String())
	}
	return err
}

func (p *provisioner) delete(ctx context.Context, v *corev1.PersistentVolume) error {
	if v.Spec.HostPath == nil || !strings.HasPrefix(v.Spec.HostPath.Path, filepath.Clean(p.dir)+string(filepath.Separator)) {
		return fmt.Errorf("volume %s is not under %s; left alone", v.Name, p.dir)
	}
	if err := os.RemoveAll(v.Spec.HostPath.Path); err != nil {
		return err
	}
	err := p.cs.CoreV1().PersistentVolumes().Delete(ctx, v.Name, metav1.DeleteOptions{})
	if err == nil {
		log.Printf("deleted %s", v.Name)
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
