#ifndef SIMPUL_CCURL_SHIM_H
#define SIMPUL_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt is variadic, which Swift cannot call; these typed wrappers can. */
static inline CURLcode simpul_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode simpul_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode simpul_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode simpul_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode simpul_curl_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode simpul_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
/* The header callback has the write callback's type; a separate setter keeps the option fixed. */
static inline CURLcode simpul_curl_setopt_header_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
/* Where the SSRF guard runs: curl calls it with the resolved address it is about to connect to. */
static inline CURLcode simpul_curl_setopt_opensocket_callback(
    CURL *handle, curl_socket_t (*callback)(void *, curlsocktype, struct curl_sockaddr *)) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, callback);
}
static inline CURLcode simpul_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
/* A macro in curl.h (-1 on POSIX), which Swift may not import with the right type. */
static inline curl_socket_t simpul_curl_socket_bad(void) { return CURL_SOCKET_BAD; }
/* Where the second SSRF check runs: curl calls it for every transfer, on a new or a reused
   connection, with the address connected to, before the request is sent (libcurl >= 7.80). */
static inline CURLcode simpul_curl_setopt_prereq_callback(
    CURL *handle, int (*callback)(void *, char *, char *, int, int)) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback);
}
/* curl_multi_setopt is variadic too. */
static inline CURLMcode simpul_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
/* CURLMsg.data is a union; reading the result through C keeps Swift off its layout. */
static inline CURLcode simpul_curl_message_result(const CURLMsg *message) { return message->data.result; }
static inline int simpul_curl_message_is_done(const CURLMsg *message) { return message->msg == CURLMSG_DONE; }
#endif
