// Post(): tasks wait in a table until the Worker calls crsync_run_task(id) from a timer.
#include "post.h"

#include <emscripten/emscripten.h>

#include <unordered_map>
#include <utility>

#include "js_imports.h"

namespace crsync::web {
namespace {

std::unordered_map<int, std::function<void()>>& Tasks() {
  static auto* tasks = new std::unordered_map<int, std::function<void()>>();
  return *tasks;
}

int g_next_task = 1;

}  // namespace

void Post(std::function<void()> task) {
  int id = g_next_task++;
  Tasks().emplace(id, std::move(task));
  crsync_js_post(id);
}

}  // namespace crsync::web

extern "C" EMSCRIPTEN_KEEPALIVE void crsync_run_task(int id) {
  auto& tasks = crsync::web::Tasks();
  auto it = tasks.find(id);
  if (it == tasks.end()) return;
  std::function<void()> task = std::move(it->second);
  tasks.erase(it);
  task();
}
