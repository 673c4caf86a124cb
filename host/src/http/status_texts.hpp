// The status page's words in each language it speaks.
#pragma once

#include "http/page_language.hpp"

namespace tg::host {

struct StatusTexts {
    const char* lang;  // the html element's lang
    const char* title;
    const char* build;
    const char* auth;
    const char* auth_on;   // followed by the kind
    const char* auth_off;  // served to loopback only
    const char* sinks;
    const char* sink;
    const char* health;
    const char* healthy;
    const char* failing;
    const char* no_attempt;
    const char* queue;
    const char* oldest_pending;
    const char* dead_letters;
    const char* last_success;
    const char* last_error;
    const char* none;
    const char* dead_letters_of;  // followed by the sink's name
    const char* id;
    const char* failed_at;
    const char* attempts;
    const char* reason;
    const char* more_dead_letters;  // preceded by a count
    const char* hooks;
    const char* hook;
    const char* schedule;
    const char* next_run;
    const char* last_result;
    const char* no_hooks;
    const char* deliveries;
    const char* time;
    const char* delivery;
    const char* result;
    const char* tickets;
    const char* no_deliveries;
    const char* store_error;
    const char* footer;
    const char* ago;  // after a duration
};

const StatusTexts& status_texts(PageLanguage language);

}  // namespace tg::host
