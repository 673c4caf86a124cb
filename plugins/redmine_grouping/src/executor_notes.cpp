// The executor's notes and status changes: each sent once even when Redmine's answer is lost,
// and a status read back because Redmine silently ignores one it refuses.
#include "executor.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/SHA2Engine.h>

namespace tg::redmine {

namespace {

std::string digest_of(const std::string& text) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(text);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

// Redmine keeps a note's text as sent, apart from line ends and trailing blanks.
std::string normalised(const std::string& text) {
    std::string out;
    for (char c : text)
        if (c != '\r') out += c;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

// Redmine has no idempotency key: a PUT whose answer was lost (the connection broke) may have
// written its note. Before such a note is sent again, the issue's journals since the first try
// are searched for it; without a lost answer this costs two local state writes and no request.
void Executor::put_with_notes(int64_t issue_id, const Poco::JSON::Object& fields,
                              const std::string& notes, const std::string& why) {
    if (notes.empty() || tracker_.dry_run()) {
        tracker_.update_issue(issue_id, fields, why);
        return;
    }
    const std::string digest = digest_of(notes);
    if (auto since = store_.note_intent(issue_id, digest)) {
        auto journals = tracker_.issue(issue_id, IssueDetail::journals)->getArray("journals");
        for (size_t i = 0; journals && i < journals->size(); ++i) {
            auto journal = journals->getObject(i);
            const auto at = time_of(journal, "created_on");
            if (at + 60 < *since) continue;  // older than the first try (60 s for clock skew)
            if (normalised(journal->optValue<std::string>("notes", "")) == normalised(notes)) {
                host_.info("issue #" + std::to_string(issue_id) + ": the " + why +
                           " sent before (its answer was lost) is there; not sent again");
                store_.clear_note_intent(issue_id, digest);
                return;
            }
        }
    } else {
        store_.put_note_intent(issue_id, digest, unix_seconds(clock_.now()));
    }
    try {
        tracker_.update_issue(issue_id, fields, why);
    } catch (const tg::Drop&) {
        store_.clear_note_intent(issue_id, digest);  // refused: nothing was written
        throw;
    }
    store_.clear_note_intent(issue_id, digest);
}

void Executor::note(int64_t issue_id, const std::string& notes, const std::string& why) {
    Poco::JSON::Object fields;
    fields.set("notes", notes);
    put_with_notes(issue_id, fields, notes, why);
}

void Executor::change_status(int64_t issue_id, int64_t status_id, const std::string& notes,
                             const std::string& why) {
    Poco::JSON::Object fields;
    fields.set("status_id", status_id);
    if (!notes.empty()) fields.set("notes", notes);
    put_with_notes(issue_id, fields, notes, why + ", status #" + std::to_string(status_id));
    if (tracker_.dry_run()) return;
    const int64_t now_status = id_in(tracker_.issue(issue_id), "status");
    if (now_status != status_id) {
        const std::string message =
            "Redmine kept issue #" + std::to_string(issue_id) + " in status '" +
            statuses_.name(now_status) + "' instead of '" + statuses_.name(status_id) + "' (" +
            why +
            "): its workflow forbids the change, or the issue has open subtasks or a closed parent";
        host_.error(message);
        throw tg::Drop(message);
    }
}

}  // namespace tg::redmine
