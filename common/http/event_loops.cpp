#include "common/http/event_loops.h"

#include <algorithm>

namespace vtguard::http {

EventLoops::EventLoops(unsigned count) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i) loops_.push_back(std::make_unique<Loop>());
}

EventLoops::~EventLoops() { Stop(); }

boost::asio::io_context& EventLoops::Next() {
  const unsigned index = next_.fetch_add(1, std::memory_order_relaxed) % size();
  return loops_[index]->context;
}

void EventLoops::Run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->context.run(); });
  }
  main().run();
  for (std::thread& thread : threads) thread.join();
}

void EventLoops::Stop() {
  for (const auto& loop : loops_) loop->context.stop();
}

}  // namespace vtguard::http
