package watch

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// Informer callbacks: record the object, mark its pod dirty, wake the loop.
// They never summarize; that happens once per flush.

func (s *Store) onPod(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	key := pod.Namespace + "/" + pod.Name
	s.mu.Lock()
	s.pods[key] = pod
	s.markDirty(key)
	s.mu.Unlock()
	s.signal()
}

func (s *Store) onPodUpdate(old, obj any) {
	o, ok1 := old.(*corev1.Pod)
	n, ok2 := obj.(*corev1.Pod)
	if ok1 && ok2 && o.ResourceVersion != "" && o.ResourceVersion == n.ResourceVersion {
		return // a relist replaying what we have: nothing to redraw
	}
	s.onPod(obj)
}

func (s *Store) onPodDelete(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	key := pod.Namespace + "/" + pod.Name
	s.mu.Lock()
	delete(s.pods, key)
	s.markDirty(key)
	s.mu.Unlock()
	s.signal()
}

func (s *Store) onEvent(obj any, deleted bool) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	e, ok := obj.(*corev1.Event)
	if !ok {
		return
	}
	key := e.InvolvedObject.Namespace + "/" + e.InvolvedObject.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	byUID := s.events[key]
	if deleted {
		delete(byUID, e.UID)
		if len(byUID) == 0 {
			delete(s.events, key)
		}
	} else {
		if byUID == nil {
			byUID = map[types.UID]corev1.Event{}
			s.events[key] = byUID
		}
		byUID[e.UID] = *e
	}
	if _, shown := s.pods[key]; !shown {
		return // an event of a pod we do not show (other labels): keep it, draw nothing
	}
	s.markDirty(key)
	s.signal()
}
