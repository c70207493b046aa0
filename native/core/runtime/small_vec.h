// A vector that keeps its first N elements inline. Shapes and op argument lists are tiny and
// made on every op call; keeping them off the heap is most of what makes a 2x2 op cheap. The
// header is 16 bytes (32-bit size and capacity), so a Shape is exactly one cache line.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace ndgrad {

template <class T, size_t N>
class SmallVec {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;
  using reverse_iterator = std::reverse_iterator<T*>;
  using const_reverse_iterator = std::reverse_iterator<const T*>;

  // User-provided, so that value-initialising one (`SmallVec x{}`, `{}` in an aggregate) does
  // not zero the inline room first: an op call's output list is 192 bytes.
  SmallVec() {}
  SmallVec(size_t n, const T& v) { assign(n, v); }
  explicit SmallVec(size_t n) { resize(n); }
  SmallVec(std::initializer_list<T> init) { append(init.begin(), init.end()); }
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  SmallVec(It first, It last) { append(first, last); }
  SmallVec(const std::vector<T>& v) { append(v.begin(), v.end()); }
  SmallVec(const SmallVec& o) {
    if (!copy_inline(o)) append(o.begin(), o.end());
  }
  SmallVec(SmallVec&& o) noexcept { take(std::move(o)); }
  ~SmallVec() { release(); }

  SmallVec& operator=(const SmallVec& o) {
    if (this != &o && !copy_inline(o)) {
      clear();
      append(o.begin(), o.end());
    }
    return *this;
  }
  SmallVec& operator=(SmallVec&& o) noexcept {
    if (this != &o) {
      release();
      take(std::move(o));
    }
    return *this;
  }
  SmallVec& operator=(std::initializer_list<T> init) {
    clear();
    append(init.begin(), init.end());
    return *this;
  }

  operator std::vector<T>() const { return std::vector<T>(begin(), end()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return ptr(); }
  const T* data() const { return ptr(); }
  T& operator[](size_t i) { return ptr()[i]; }
  const T& operator[](size_t i) const { return ptr()[i]; }
  T& at(size_t i) { return ptr()[i]; }
  const T& at(size_t i) const { return ptr()[i]; }
  T& back() { return ptr()[size_ - 1]; }
  const T& back() const { return ptr()[size_ - 1]; }
  iterator begin() { return ptr(); }
  iterator end() { return ptr() + size_; }
  const_iterator begin() const { return ptr(); }
  const_iterator end() const { return ptr() + size_; }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    if (n > kMaxSize) throw std::length_error("SmallVec: too many elements");
    T* fresh = static_cast<T*>(std::malloc(n * sizeof(T)));
    if (!fresh) throw std::bad_alloc();
    T* old = ptr();
    for (size_t i = 0; i < size_; ++i) {
      new (fresh + i) T(std::move(old[i]));
      old[i].~T();
    }
    if (heap_) std::free(heap_);
    heap_ = fresh;
    capacity_ = static_cast<uint32_t>(n);
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) {
      // The argument may refer into this vector: build the element before storage moves.
      T element(std::forward<Args>(args)...);
      reserve(size_t{capacity_} * 2);
      new (ptr() + size_) T(std::move(element));
    } else {
      new (ptr() + size_) T(std::forward<Args>(args)...);
    }
    return ptr()[size_++];
  }
  // For a caller that knows there is room (size() < N on a vector that never grew, as a fresh
  // graph node's lists): no capacity test and no growth path, so it inlines where emplace_back
  // stays a call.
  template <class... Args>
  T& emplace_back_in_room(Args&&... args) {
    new (ptr() + size_) T(std::forward<Args>(args)...);
    return ptr()[size_++];
  }
  void pop_back() { ptr()[--size_].~T(); }
  void clear() {
    for (size_t i = 0; i < size_; ++i) ptr()[i].~T();
    size_ = 0;
  }
  void resize(size_t n) {
    if (n < size_) {
      for (size_t i = n; i < size_; ++i) ptr()[i].~T();
    } else {
      reserve(n);
      for (size_t i = size_; i < n; ++i) new (ptr() + i) T();
    }
    size_ = static_cast<uint32_t>(n);
  }
  void assign(size_t n, const T& v) {
    clear();
    reserve(n);
    for (size_t i = 0; i < n; ++i) new (ptr() + i) T(v);
    size_ = static_cast<uint32_t>(n);
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    append(first, last);
  }
  template <class It>
  void insert(iterator pos, It first, It last) {
    // Only appending at the end is needed by the core.
    (void)pos;
    append(first, last);
  }

  // An element loop: std::equal on integers is a call to memcmp, which costs more than comparing
  // the two or three dimensions of a shape (same-shape checks run on every elementwise op).
  bool operator==(const SmallVec& o) const {
    if (size_ != o.size_) return false;
    const T* a = ptr();
    const T* b = o.ptr();
    for (uint32_t i = 0; i < size_; ++i)
      if (!(a[i] == b[i])) return false;
    return true;
  }
  bool operator!=(const SmallVec& o) const { return !(*this == o); }

 private:
  T* ptr() { return heap_ ? heap_ : reinterpret_cast<T*>(inline_); }
  const T* ptr() const { return heap_ ? heap_ : reinterpret_cast<const T*>(inline_); }
  template <class It>
  void append(It first, It last) {
    size_t n = static_cast<size_t>(std::distance(first, last));
    reserve(size_ + n);
    for (; first != last; ++first) new (ptr() + size_++) T(*first);
  }
  // A shape (trivially copyable elements) that fits inline is copied as the whole inline buffer:
  // a fixed-size copy of a few vector moves, where the element loop became a call to memmove
  // (shapes are copied and moved several times per op). Reading o's unused elements is safe:
  // an inline buffer has N, a heap buffer more.
  // (GCC warns that the unused elements may be uninitialized: copying them as bytes is defined,
  // and they are never read.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  bool copy_inline(const SmallVec& o) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      if (heap_ || o.size_ > N) return false;
      std::memcpy(inline_, static_cast<const void*>(o.ptr()), sizeof inline_);
      size_ = o.size_;
      return true;
    }
    return false;
  }
  void take(SmallVec&& o) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      if (!o.heap_) {
        std::memcpy(inline_, o.inline_, sizeof inline_);
        size_ = o.size_;
        o.size_ = 0;
        return;
      }
    }
    if (o.heap_) {
      heap_ = o.heap_;
      capacity_ = o.capacity_;
      size_ = o.size_;
      o.heap_ = nullptr;
      o.capacity_ = N;
      o.size_ = 0;
      return;
    }
    for (size_t i = 0; i < o.size_; ++i) new (ptr() + i) T(std::move(o.ptr()[i]));
    size_ = o.size_;
    o.clear();
  }
#pragma GCC diagnostic pop
  void release() {
    clear();
    if (heap_) std::free(heap_);
    heap_ = nullptr;
    capacity_ = N;
  }

  static constexpr size_t kMaxSize = UINT32_MAX;
  static_assert(N <= kMaxSize, "inline capacity too large");
  T* heap_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = N;
  alignas(T) unsigned char inline_[N * sizeof(T)];
};

}  // namespace ndgrad
