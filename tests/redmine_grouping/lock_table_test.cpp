// The embedded store's named locks (lock_table.hpp), shared by the lanes of one sink: one
// holder per name, a holder may take its name again, other names do not wait, and a wait has an
// end.
#include "lock_table.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using tg::redmine::LockTable;
using namespace std::chrono_literals;

TEST_CASE("a named lock held by one lane makes another wait until it is released", "[locks]") {
    LockTable locks;
    const int a = 0, b = 0;  // two holders (their addresses)
    locks.hold("group\nDiskFull", &a);
    std::atomic<bool> released{false}, b_holds{false}, b_saw_release{false};
    std::thread other([&] {
        locks.hold("group\nDiskFull", &b);
        b_saw_release = released.load();
        b_holds = true;
        locks.release("group\nDiskFull", &b);
    });
    std::this_thread::sleep_for(100ms);
    CHECK_FALSE(b_holds);  // still waiting
    released = true;
    locks.release("group\nDiskFull", &a);
    other.join();
    CHECK(b_holds);
    CHECK(b_saw_release);
}

TEST_CASE("a holder takes its own lock again, and other names do not wait", "[locks]") {
    LockTable locks(50ms);
    const int a = 0, b = 0;
    locks.hold("rebuild", &a);
    locks.hold("rebuild", &a);  // a hook holding a group applies an alert of it
    locks.hold("group\nOther", &b);
    locks.release("rebuild", &a);
    CHECK_THROWS_WITH(locks.hold("rebuild", &b),
                      Catch::Contains("the state lock rebuild is held by another delivery"));
    locks.release("rebuild", &a);
    locks.hold("rebuild", &b);  // free after the second release
    locks.release("rebuild", &b);
    locks.release("group\nOther", &b);
}

TEST_CASE("a lock held too long fails the waiting delivery, naming the group on one line",
          "[locks]") {
    LockTable locks(30ms);
    const int a = 0, b = 0;
    locks.hold("group\nDiskFull", &a);
    std::string message;
    std::thread other([&] {
        try {
            locks.hold("group\nDiskFull", &b);
        } catch (const std::runtime_error& e) {
            message = e.what();
        }
    });
    other.join();
    CHECK(message ==
          "redmine_grouping: the state lock group DiskFull is held by another delivery "
          "for more than 30 ms");
    locks.release("group\nDiskFull", &a);
}
