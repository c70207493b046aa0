// Intrusive reference counting: one allocation per object and a raw pointer that the binding can
// hand to JS. The count is atomic because worker threads of the pool may briefly hold tensors.
#pragma once

#include <atomic>
#include <utility>

namespace ndgrad {

class RefCounted {
 public:
  void retain() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Returns true when this was the last reference (the caller deletes).
  bool release_ref() const { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
  int ref_count() const { return refs_.load(std::memory_order_relaxed); }
  // The first reference of an object no other thread has seen yet: a plain store instead of a
  // locked add (see make_ref).
  void retain_first() const { refs_.store(1, std::memory_order_relaxed); }

 protected:
  RefCounted() = default;
  RefCounted(const RefCounted&) : refs_(0) {}
  RefCounted& operator=(const RefCounted&) { return *this; }
  ~RefCounted() = default;

 private:
  mutable std::atomic<int> refs_{0};
};

// The same without atomics, for objects that only one thread ever references (graph nodes).
class LocalRefCounted {
 public:
  void retain() const { ++refs_; }
  bool release_ref() const { return --refs_ == 0; }
  int ref_count() const { return refs_; }
  void retain_first() const { refs_ = 1; }

 protected:
  LocalRefCounted() = default;
  LocalRefCounted(const LocalRefCounted&) : refs_(0) {}
  LocalRefCounted& operator=(const LocalRefCounted&) { return *this; }
  ~LocalRefCounted() = default;

 private:
  mutable int refs_ = 0;
};

template <class T>
class Ref {
 public:
  Ref() = default;
  Ref(std::nullptr_t) {}
  explicit Ref(T* p) : p_(p) { if (p_) p_->retain(); }
  Ref(const Ref& o) : p_(o.p_) { if (p_) p_->retain(); }
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <class U>
  Ref(const Ref<U>& o) : p_(o.get()) { if (p_) p_->retain(); }
  ~Ref() { reset(); }
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  void reset() {
    if (p_ && p_->release_ref()) delete p_;
    p_ = nullptr;
  }
  // Gives up ownership without releasing (the binding stores the raw pointer).
  T* leak() {
    T* p = p_;
    p_ = nullptr;
    return p;
  }
  // Adopts a pointer that already carries one reference (from leak()).
  static Ref adopt(T* p) {
    Ref r;
    r.p_ = p;
    return r;
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Ref& o) const { return p_ == o.p_; }
  bool operator!=(const Ref& o) const { return p_ != o.p_; }

 private:
  T* p_ = nullptr;
};

// Every atomic read-modify-write of a count is a locked instruction, a measurable part of a 2x2
// op (several per call); a fresh object's first count needs none.
template <class T, class... Args>
Ref<T> make_ref(Args&&... args) {
  T* p = new T(std::forward<Args>(args)...);
  p->retain_first();
  return Ref<T>::adopt(p);
}

}  // namespace ndgrad
