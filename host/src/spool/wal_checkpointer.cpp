#include "spool/wal_checkpointer.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

using namespace Poco::Data::Keywords;

namespace tg::host {

void WalCheckpointer::take_over(Poco::Data::Session& writer) {
    // Replaces the connection's automatic checkpoint, which is this same hook as set by
    // sqlite3_wal_autocheckpoint.
    sqlite3_wal_hook(Poco::Data::SQLite::Utility::dbHandle(writer), &WalCheckpointer::on_commit,
                     this);
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
    static_cast<WalCheckpointer*>(self)->frames_.store(frames, std::memory_order_relaxed);
    return SQLITE_OK;
}

bool WalCheckpointer::checkpoint(Poco::Data::Session& session) noexcept {
    try {
        session << "PRAGMA wal_checkpoint(PASSIVE)", now;
        frames_.store(0, std::memory_order_relaxed);
        return true;
    } catch (...) {
        return false;  // the next due commit tries again
    }
}

}  // namespace tg::host
