/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstwebrtcroomwhipsignaller
 * @title: GstWebRTCRoomWhipSignaller
 * @short_description: publish to a WHIP endpoint (RFC 9725), play from
 *   a WHEP endpoint
 *
 * Lets a sending room element publish to a WHIP endpoint instead of
 * joining a room: the endpoint is one virtual peer `whip` that only
 * receives. With a `whep+http(s)://` URL, a receiving element plays from
 * a WHEP endpoint the same way: the virtual peer only sends (video and
 * audio), so our offer only asks (`recvonly`) for its tracks. Our offer is POSTed (`application/sdp`, `Authorization:
 * Bearer <token>` from the element's `token`), the `201 Created` answer
 * comes back as that peer's answer, our candidates follow as `PATCH`es of
 * the resource (`application/trickle-ice-sdpfrag`, RFC 8840), and stop
 * DELETEs the resource. HTTP errors become #GST_WEBRTC_ROOM_ERROR errors
 * with the status (401/403: unauthorized, 404: no such endpoint).
 *
 * The ICE servers of the 201's `Link` headers (RFC 9725 section 4.6:
 * `<stun:host:port>; rel="ice-server"`, TURN with `username`,
 * `credential` and `credential-type="password"`) are emitted as
 * #GstWebRTCRoomSignaller::ice-servers before the answer; unusable ones
 * are skipped with a (non-fatal) error each.
 *
 * For an https:// endpoint, #GstWebRTCRoomWhipSignaller:ca-file names a
 * private CA and #GstWebRTCRoomWhipSignaller:tls-insecure accepts any
 * certificate (tests only); the elements pass theirs on.
 *
 * When the connection to the endpoint dies (the element's media watchdog
 * or an ICE failure replaces it and offers again with `restart`), the
 * session is DELETEd and the new offer POSTed as a new session: WHIP and
 * WHEP have no renegotiation, and webrtcbin 1.22 cannot do the ICE
 * restart by PATCH of RFC 9725 4.3.2. Such a POST that fails is a
 * warning, not an error (only a refused token is): the watchdog offers
 * again after its timeout, so the element keeps trying while the endpoint
 * is away.
 *
 * Not done: renegotiation (a second offer without `restart` is ignored
 * with a warning), ICE restarts by PATCH.
 *
 * Threading as in #GstWebRTCRoomSignaller.
 */

#include "icelinks-private.h"
#include "protocol-private.h"
#include "signaller-private.h"
#include "whipsignaller.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <libsoup/soup.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (whip_debug);
#define GST_CAT_DEFAULT whip_debug

#define DEFAULT_SERVER_URL "whip+http://127.0.0.1:8080/whip"
#define DEFAULT_TIMEOUT 10000   /* ms */
#define MAX_ANSWER_BYTES (256 * 1024)
#define MAX_QUEUED 1000
#define MAX_PENDING_CANDIDATES 256

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_TIMEOUT,
  PROP_RECEIVE_ONLY,
  PROP_SEND_ONLY,
  PROP_CA_FILE,
  PROP_TLS_INSECURE,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

typedef enum
{
  STATE_IDLE,
  STATE_READY,                  /* welcomed, waiting for our offer */
  STATE_POSTING,
  STATE_ESTABLISHED,            /* answer received, resource known */
  STATE_FAILED,
} State;

struct _GstWebRTCRoomWhipSignaller
{
  GObject parent;

  /* Guarded by lock */
  GMutex lock;
  gchar *server_url;
  guint timeout;
  gboolean receive_only;
  gboolean send_only;
  gchar *ca_file;
  gboolean tls_insecure;
  GMainContext *context;

  GstWebRTCRoomSendQueue *signals;      /* from send() */

  /* Owned by the context */
  State state;
  guint generation;
  gboolean cur_receive_only;
  gboolean cur_send_only;
  gboolean cur_tls_insecure;
  gboolean whep;                /* whep+ URL: we play, the endpoint sends */
  GstWebRTCRoomJoinParams *params;
  gchar *url;                   /* as given */
  gchar *http_url;
  gchar *resource_url;          /* Location of the 201 */
  SoupSession *session;
  GCancellable *cancellable;
  GstSDPMessage *offer;
  GPtrArray *pending_candidates;        /* JsonObject* (candidate or null) */
  gboolean trickle_unsupported;
  gboolean restarting;          /* the POST in flight replaces a session */
  gchar *restart_offer;         /* a restart offer made while POSTing */
  GSource *start_source;
  GError *database_error;       /* the ca-file could not be read */
};

static void signaller_iface_init (GstWebRTCRoomSignallerInterface * iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GstWebRTCRoomWhipSignaller,
    gst_webrtc_room_whip_signaller, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_WEBRTC_ROOM_SIGNALLER,
        signaller_iface_init));

typedef GstWebRTCRoomWhipSignaller Self;

static void
fail (Self * self, GError * error)
{
  g_autoptr (GError) owned = error;

  if (self->state == STATE_FAILED || self->state == STATE_IDLE)
    return;
  self->state = STATE_FAILED;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      owned, TRUE);
}

#define PROTO(self) ((self)->whep ? "WHEP" : "WHIP")

static GError *
http_error (Self * self, SoupMessage * msg, GBytes * body)
{
  guint status = soup_message_get_status (msg);
  const gchar *reason = soup_message_get_reason_phrase (msg);
  g_autofree gchar *text = NULL;

  if (body && g_bytes_get_size (body) > 0) {
    gsize len = MIN (g_bytes_get_size (body), 200);
    text = g_utf8_make_valid (g_bytes_get_data (body, NULL), len);
  }
  if (!reason)
    reason = "";
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    return g_error_new (GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED, "The %s endpoint %s refused "
        "our token (the element's token is the Bearer token) (HTTP %u %s)",
        PROTO (self), self->url, status, reason);
  if (status == SOUP_STATUS_NOT_FOUND)
    return g_error_new (GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_UNKNOWN,
        "There is no %s endpoint at %s (HTTP 404 %s)", PROTO (self), self->url,
        reason);
  return g_error_new (GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_UNKNOWN,
      "The %s endpoint %s rejected our offer (HTTP %u %s)%s%s", PROTO (self),
      self->url, status, reason, text ? ": " : "", text ? text : "");
}

static SoupMessage *
new_request (Self * self, const gchar * method, const gchar * url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (!msg)
    return NULL;
  if (self->cur_tls_insecure)
    gst_webrtc_room_signaller_accept_any_certificate (msg);
  if (self->params->token && *self->params->token) {
    g_autofree gchar *auth = g_strdup_printf ("Bearer %s",
        self->params->token);
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", auth);
  }
  return msg;
}

/* Trickle (RFC 8840 sdpfrag in a PATCH) */

static const GstSDPMedia *
offer_media_for_mid (Self * self, const gchar * mid)
{
  guint i;

  for (i = 0; self->offer && i < gst_sdp_message_medias_len (self->offer); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (self->offer, i);
    if (!g_strcmp0 (gst_sdp_media_get_attribute_val (m, "mid"), mid))
      return m;
  }
  return NULL;
}

static const gchar *
offer_attribute (Self * self, const gchar * name)
{
  const gchar *value;

  if (!self->offer)
    return NULL;
  value = gst_sdp_message_get_attribute_val (self->offer, name);
  if (!value && gst_sdp_message_medias_len (self->offer) > 0)
    value = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media
        (self->offer, 0), name);
  return value;
}

static gchar *
build_sdpfrag (Self * self, JsonObject * cand)
{
  GString *frag = g_string_new (NULL);
  const gchar *ufrag = offer_attribute (self, "ice-ufrag");
  const gchar *pwd = offer_attribute (self, "ice-pwd");

  if (ufrag)
    g_string_append_printf (frag, "a=ice-ufrag:%s\r\n", ufrag);
  if (pwd)
    g_string_append_printf (frag, "a=ice-pwd:%s\r\n", pwd);
  if (!cand) {
    g_string_append (frag, "a=end-of-candidates\r\n");
  } else {
    const gchar *candidate =
        gst_webrtc_room_json_get_string (cand, "candidate");
    const gchar *mid = gst_webrtc_room_json_get_string (cand, "sdpMid");
    const GstSDPMedia *m = mid ? offer_media_for_mid (self, mid) : NULL;

    if (m) {
      g_autofree gchar *formats = NULL;
      GString *fmts = g_string_new (NULL);
      guint i;

      for (i = 0; i < gst_sdp_media_formats_len (m); i++)
        g_string_append_printf (fmts, " %s", gst_sdp_media_get_format (m, i));
      formats = g_string_free (fmts, FALSE);
      g_string_append_printf (frag, "m=%s 9 %s%s\r\n",
          gst_sdp_media_get_media (m), gst_sdp_media_get_proto (m), formats);
    }
    if (mid)
      g_string_append_printf (frag, "a=mid:%s\r\n", mid);
    if (g_str_has_prefix (candidate, "candidate:"))
      g_string_append_printf (frag, "a=%s\r\n", candidate);
    else
      g_string_append_printf (frag, "a=candidate:%s\r\n", candidate);
  }
  return g_string_free (frag, FALSE);
}

static void
on_patched (GObject * source, GAsyncResult * result, gpointer data)
{
  g_autoptr (GstWebRTCRoomWhipSignaller) self =
      gst_webrtc_room_pending_get (data);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessage *msg;
  guint status;

  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  gst_webrtc_room_pending_free (data);
  if (!self || !body)
    return;
  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED
      || status == SOUP_STATUS_NOT_IMPLEMENTED) {
    GST_INFO ("the WHIP endpoint takes no trickled candidates (HTTP %u)",
        status);
    self->trickle_unsupported = TRUE;
  } else if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    GST_WARNING ("WHIP PATCH: HTTP %u", status);
  }
}

static void
send_candidate_now (Self * self, JsonObject * cand)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  gchar *frag;

  if (self->trickle_unsupported || !self->resource_url)
    return;
  if (cand && !gst_webrtc_room_json_get_string (cand, "candidate"))
    return;
  frag = build_sdpfrag (self, cand);
  msg = new_request (self, "PATCH", self->resource_url);
  if (!msg) {
    g_free (frag);
    return;
  }
  body = g_bytes_new_take (frag, strlen (frag));
  soup_message_set_request_body_from_bytes (msg,
      "application/trickle-ice-sdpfrag", body);
  g_main_context_push_thread_default (self->context);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
      self->cancellable, on_patched, gst_webrtc_room_pending_new (self,
          &self->generation));
  g_main_context_pop_thread_default (self->context);
}

static void
flush_candidates (Self * self)
{
  guint i;

  for (i = 0; i < self->pending_candidates->len; i++) {
    JsonNode *node = self->pending_candidates->pdata[i];
    send_candidate_now (self, JSON_NODE_HOLDS_OBJECT (node) ?
        json_node_get_object (node) : NULL);
  }
  g_ptr_array_set_size (self->pending_candidates, 0);
}

/* Offer / answer */

/* RFC 9725 4.6: the ICE servers of the 201's Link headers, for the
 * element to apply to this connection */
static void
announce_link_ice_servers (Self * self, SoupMessage * msg)
{
  const gchar *links =
      soup_message_headers_get_list (soup_message_get_response_headers (msg),
      "Link");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonArray) servers =
      gst_webrtc_room_ice_servers_from_links (links, warnings);
  guint i;

  for (i = 0; i < warnings->len; i++) {
    g_autoptr (GError) error = g_error_new (GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "The %s endpoint %s sent an "
        "unusable ICE server: %s", PROTO (self), self->url,
        (const gchar *) warnings->pdata[i]);

    GST_WARNING ("%s", error->message);
    gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
        error, FALSE);
  }
  for (i = 0; i < json_array_get_length (servers); i++) {
    JsonObject *server = json_array_get_object_element (servers, i);

    GST_INFO ("%s endpoint ICE server %s", PROTO (self),
        json_array_get_string_element (json_object_get_array_member (server,
                "urls"), 0));
  }
  if (json_array_get_length (servers) > 0)
    gst_webrtc_room_signaller_emit_ice_servers (GST_WEBRTC_ROOM_SIGNALLER
        (self), GST_WEBRTC_ROOM_WHIP_PEER, servers);
}

static void restart_session (Self * self, const gchar * sdp);

/* A POST that replaces a dead session and fails leaves us without one
 * until the element offers again (its watchdog does, after its timeout):
 * a warning. A refused token stays refused: an error, as for the first
 * POST. */
static void
post_failed (Self * self, GError * error)
{
  g_autoptr (GError) owned = error;

  if (!self->restarting
      || g_error_matches (error, GST_WEBRTC_ROOM_ERROR,
          GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED)) {
    fail (self, g_steal_pointer (&owned));
    return;
  }
  GST_WARNING ("%s; trying again with the next offer", error->message);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      error, FALSE);
  g_clear_pointer (&self->restart_offer, g_free);
  self->state = STATE_READY;
}

static void
on_posted (GObject * source, GAsyncResult * result, gpointer data)
{
  g_autoptr (GstWebRTCRoomWhipSignaller) self =
      gst_webrtc_room_pending_get (data);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) signal_data = NULL;
  g_autoptr (GUri) base = NULL;
  g_autofree gchar *answer = NULL;
  GstSDPMessage *sdp = NULL;
  JsonObject *description;
  SoupMessage *msg;
  const gchar *location;
  gsize len;

  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  gst_webrtc_room_pending_free (data);
  if (!self || self->state != STATE_POSTING)
    return;
  if (!body) {
    post_failed (self, g_error_new (error->domain, error->code,
            "Could not reach the %s endpoint %s: %s", PROTO (self), self->url,
            error->message));
    return;
  }
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED) {
    post_failed (self, http_error (self, msg, body));
    return;
  }
  location = soup_message_headers_get_one (soup_message_get_response_headers
      (msg), "Location");
  base = g_uri_parse (self->http_url, SOUP_HTTP_URI_FLAGS, NULL);
  if (location && base)
    self->resource_url = g_uri_resolve_relative (self->http_url, location,
        SOUP_HTTP_URI_FLAGS, NULL);
  len = g_bytes_get_size (body);
  if (!self->resource_url || len == 0 || len > MAX_ANSWER_BYTES
      || !g_utf8_validate (g_bytes_get_data (body, NULL), len, NULL)) {
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
            GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "The %s endpoint %s answered "
            "201 without %s", PROTO (self), self->url,
            self->resource_url ? "a usable SDP " "answer" : "a Location"));
    return;
  }
  answer = g_strndup (g_bytes_get_data (body, NULL), len);
  if (gst_sdp_message_new_from_text (answer, &sdp) != GST_SDP_OK
      || gst_sdp_message_medias_len (sdp) == 0) {
    if (sdp)
      gst_sdp_message_free (sdp);
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
            GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "The %s endpoint %s answered "
            "with something that is not SDP", PROTO (self), self->url));
    return;
  }
  gst_sdp_message_free (sdp);
  GST_INFO ("WHIP session at %s", self->resource_url);
  self->state = STATE_ESTABLISHED;
  self->restarting = FALSE;
  if (self->restart_offer) {
    g_autofree gchar *offer = g_steal_pointer (&self->restart_offer);

    /* this answer is for the connection replaced meanwhile */
    restart_session (self, offer);
    return;
  }
  announce_link_ice_servers (self, msg);
  if (self->state != STATE_ESTABLISHED)
    return;

  signal_data = json_object_new ();
  description = json_object_new ();
  json_object_set_string_member (description, "type", "answer");
  json_object_set_string_member (description, "sdp", answer);
  json_object_set_object_member (signal_data, "description", description);
  gst_webrtc_room_signaller_emit_signal (GST_WEBRTC_ROOM_SIGNALLER (self),
      GST_WEBRTC_ROOM_WHIP_PEER, signal_data);
  if (self->state == STATE_ESTABLISHED)
    flush_candidates (self);
}

static void
post_offer (Self * self, const gchar * sdp_text)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;

  if (self->state != STATE_READY) {
    GST_WARNING ("WHIP has no renegotiation: ignoring a new offer");
    return;
  }
  g_clear_pointer (&self->offer, gst_sdp_message_free);
  if (gst_sdp_message_new_from_text (sdp_text, &self->offer) != GST_SDP_OK)
    g_clear_pointer (&self->offer, gst_sdp_message_free);
  msg = new_request (self, SOUP_METHOD_POST, self->http_url);
  if (!msg) {
    fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
            "Invalid WHIP URL '%s'", self->url));
    return;
  }
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Accept", "application/sdp");
  body = g_bytes_new (sdp_text, strlen (sdp_text));
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  self->state = STATE_POSTING;
  GST_INFO ("POST offer to %s", self->http_url);
  g_main_context_push_thread_default (self->context);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
      self->cancellable, on_posted, gst_webrtc_room_pending_new (self,
          &self->generation));
  g_main_context_pop_thread_default (self->context);
}

static void
on_old_session_deleted (GObject * source, GAsyncResult * result, gpointer data)
{
  SoupMessage *msg =
      soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (!body)
    GST_INFO ("DELETE of the replaced session: %s", error->message);
  else
    GST_INFO ("DELETE of the replaced session: HTTP %u",
        soup_message_get_status (msg));
}

/* The connection to the endpoint was replaced (a `restart` offer): the
 * old session is DELETEd, not waited for (bounded by the session's
 * timeout; its outcome is only logged), and @sdp POSTed as a new one,
 * whose answer answers the restart. */
static void
restart_session (Self * self, const gchar * sdp)
{
  g_autoptr (SoupMessage) msg = NULL;

  if (self->state == STATE_POSTING) {
    g_free (self->restart_offer);
    self->restart_offer = g_strdup (sdp);
    return;
  }
  if (self->resource_url)
    msg = new_request (self, SOUP_METHOD_DELETE, self->resource_url);
  if (msg) {
    GST_INFO ("connection replaced: DELETE %s, POST the new offer",
        self->resource_url);
    g_main_context_push_thread_default (self->context);
    soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
        NULL, on_old_session_deleted, NULL);
    g_main_context_pop_thread_default (self->context);
  }
  g_clear_pointer (&self->resource_url, g_free);
  /* queued candidates are the old connection's: the new one gathers once
   * its answer is set */
  g_ptr_array_set_size (self->pending_candidates, 0);
  self->trickle_unsupported = FALSE;
  self->restarting = TRUE;
  self->state = STATE_READY;
  post_offer (self, sdp);
}

static void
route_outgoing (Self * self, const gchar * to, JsonObject * data)
{
  JsonObject *description =
      gst_webrtc_room_json_get_object (data, "description");
  JsonNode *candidate = json_object_get_member (data, "candidate");
  gboolean restart = FALSE;

  if (g_strcmp0 (to, GST_WEBRTC_ROOM_WHIP_PEER) || self->state == STATE_IDLE
      || self->state == STATE_FAILED)
    return;
  if (description) {
    const gchar *type = gst_webrtc_room_json_get_string (description, "type");
    const gchar *sdp = gst_webrtc_room_json_get_string (description, "sdp");

    if (g_strcmp0 (type, "offer") || !sdp)
      return;
    if (gst_webrtc_room_json_read_bool (data, "restart", &restart, NULL)
        && restart && self->state != STATE_READY)
      restart_session (self, sdp);
    else
      post_offer (self, sdp);
    return;
  }
  if (!candidate || !(JSON_NODE_HOLDS_OBJECT (candidate)
          || JSON_NODE_HOLDS_NULL (candidate)))
    return;
  if (self->state == STATE_ESTABLISHED) {
    send_candidate_now (self, JSON_NODE_HOLDS_OBJECT (candidate) ?
        json_node_get_object (candidate) : NULL);
  } else if (self->pending_candidates->len < MAX_PENDING_CANDIDATES) {
    g_ptr_array_add (self->pending_candidates, json_node_copy (candidate));
  }
}

/* Starting */

/* whip+http://h/x -> http://h/x; plain http(s) URLs as they are */
static gchar *
http_url (const gchar * url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *scheme;

  if (!url || !*url) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "No WHIP endpoint URL set");
    return NULL;
  }
  if (!g_ascii_strncasecmp (url, "whip+", 5)
      || !g_ascii_strncasecmp (url, "whep+", 5))
    url += 5;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (!scheme || (g_ascii_strcasecmp (scheme, "http")
          && g_ascii_strcasecmp (scheme, "https")) || !g_uri_get_host (uri)
      || !*g_uri_get_host (uri)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid WHIP/WHEP endpoint URL '%s': whip+http(s):// or whep+http(s):// "
        "and a host", url);
    return NULL;
  }
  return g_uri_to_string (uri);
}

static gboolean
on_start (gpointer data)
{
  g_autoptr (GstWebRTCRoomWhipSignaller) self =
      gst_webrtc_room_pending_get (data);
  g_autoptr (GstWebRTCRoomMessage) welcome = NULL;
  g_autoptr (JsonObject) meta = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *sends;

  if (!self)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->start_source, g_source_unref);
  self->http_url = http_url (self->url, &error);
  if (!self->http_url) {
    fail (self, g_steal_pointer (&error));
    return G_SOURCE_REMOVE;
  }
  if (!self->session) {
    fail (self, g_error_copy (self->database_error));
    return G_SOURCE_REMOVE;
  }
  self->whep = !g_ascii_strncasecmp (self->url, "whep+", 5);
  if (!self->whep && self->cur_receive_only) {
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
            GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "WHIP only publishes: use "
            "webrtcroomsink or webrtcroombin with %s, or a whep+http(s):// "
            "URL to play", self->url));
    return G_SOURCE_REMOVE;
  }
  if (self->whep && self->cur_send_only) {
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
            GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "WHEP only plays: use "
            "webrtcroomsrc or webrtcroombin with %s, or a whip+http(s):// "
            "URL to publish", self->url));
    return G_SOURCE_REMOVE;
  }
  self->state = STATE_READY;

  /* a WHIP endpoint only receives, a WHEP endpoint only sends (roles of
   * the join meta, docs/protocol.md): either way we offer, and to a WHEP
   * endpoint our offer only asks (recvonly) for its kinds */
  meta = json_object_new ();
  sends = json_array_new ();
  if (self->whep) {
    json_array_add_string_element (sends, "video");
    json_array_add_string_element (sends, "audio");
  }
  json_object_set_array_member (meta, "sends", sends);
  json_object_set_boolean_member (meta, "receives", !self->whep);
  json_object_set_string_member (meta, "gateway", self->whep ? "whep" : "whip");
  welcome = gst_webrtc_room_message_new (GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  welcome->protocol = GST_WEBRTC_ROOM_PROTOCOL_VERSION;
  welcome->room = g_strdup (self->params->room);
  welcome->peer = g_strdup ("whip-client");
  welcome->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_webrtc_room_peer_info_free);
  g_ptr_array_add (welcome->peers,
      gst_webrtc_room_peer_info_new (GST_WEBRTC_ROOM_WHIP_PEER,
          self->whep ? "WHEP endpoint" : "WHIP endpoint", meta, FALSE));
  gst_webrtc_room_signaller_emit_welcome (GST_WEBRTC_ROOM_SIGNALLER (self),
      welcome, FALSE);
  return G_SOURCE_REMOVE;
}

/* Running code in the signaller's context */

/* Interface */

/* Ends the WHIP session: a DELETE of the resource, waited for (bounded by
 * the session's timeout) so that the endpoint frees it before we go.
 *
 * The DELETE goes through a session of its own, run in a private main
 * context: a synchronous request on @self->session waits for one of its
 * connections to be released, and a PATCH we have just cancelled releases its
 * connection only when the signaller's context (this thread, blocked in the
 * wait) dispatches the cancellation, so that would never return. */
static void
delete_resource (Self * self)
{
  g_autoptr (GMainContext) context = NULL;
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  if (!self->resource_url || !self->session)
    return;
  msg = new_request (self, SOUP_METHOD_DELETE, self->resource_url);
  if (!msg)
    return;
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("user-agent", "gst-webrtc-rooms",
      "timeout", soup_session_get_timeout (self->session),
      "tls-database", soup_session_get_tls_database (self->session), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  if (!body)
    GST_WARNING ("WHIP DELETE %s: %s", self->resource_url, error->message);
  else
    GST_INFO ("WHIP DELETE %s: HTTP %u", self->resource_url,
        soup_message_get_status (msg));
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);
}

static void
do_stop (Self * self, gpointer data)
{
  self->generation++;
  if (self->cancellable) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
  if (self->start_source) {
    g_source_destroy (self->start_source);
    g_clear_pointer (&self->start_source, g_source_unref);
  }
  delete_resource (self);
  g_clear_pointer (&self->resource_url, g_free);
  g_clear_pointer (&self->offer, gst_sdp_message_free);
  g_ptr_array_set_size (self->pending_candidates, 0);
  self->trickle_unsupported = FALSE;
  self->restarting = FALSE;
  g_clear_pointer (&self->restart_offer, g_free);
  self->state = STATE_IDLE;
}

static void
do_start (Self * self, gpointer data)
{
  const GstWebRTCRoomJoinParams *params = data;
  g_autofree gchar *ca_file = NULL;
  guint timeout;

  if (self->state != STATE_IDLE)
    do_stop (self, NULL);
  self->generation++;
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  self->params = gst_webrtc_room_join_params_copy (params);
  g_mutex_lock (&self->lock);
  g_free (self->url);
  self->url = g_strdup (self->server_url);
  timeout = self->timeout;
  self->cur_receive_only = self->receive_only;
  self->cur_send_only = self->send_only;
  self->cur_tls_insecure = self->tls_insecure;
  ca_file = g_strdup (self->ca_file);
  gst_webrtc_room_send_queue_open (self->signals, self->context);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->http_url, g_free);
  /* a private CA for https:// instead of the system's trust store; a
   * file that cannot be read fails in on_start */
  g_clear_object (&self->session);
  g_clear_pointer (&self->database_error, g_error_free);
  self->session = gst_webrtc_room_signaller_new_session (ca_file,
      MAX (1, timeout / 1000), &self->database_error);
  self->cancellable = g_cancellable_new ();
  self->state = STATE_READY;
  self->start_source = g_idle_source_new ();
  g_source_set_callback (self->start_source, on_start,
      gst_webrtc_room_pending_new (self, &self->generation),
      gst_webrtc_room_pending_free);
  g_source_attach (self->start_source, self->context);
}

static void
gst_webrtc_room_whip_signaller_start (GstWebRTCRoomSignaller * signaller,
    const GstWebRTCRoomJoinParams * params)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_mutex_lock (&self->lock);
  if (self->context)
    g_main_context_unref (self->context);
  self->context = g_main_context_ref (context);
  g_mutex_unlock (&self->lock);
  gst_webrtc_room_signaller_run_in_context (self, context,
      (GstWebRTCRoomContextFunc) do_start, (gpointer) params);
}

static void
gst_webrtc_room_whip_signaller_stop (GstWebRTCRoomSignaller * signaller)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = NULL;

  g_mutex_lock (&self->lock);
  gst_webrtc_room_send_queue_close (self->signals);
  context = self->context ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->lock);
  if (context)
    gst_webrtc_room_signaller_run_in_context (self, context,
        (GstWebRTCRoomContextFunc) do_stop, NULL);
}

static void
gst_webrtc_room_whip_signaller_send (GstWebRTCRoomSignaller * signaller,
    const gchar * to, JsonObject * data)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (signaller);

  if (!gst_webrtc_room_send_queue_push (self->signals, to, data))
    GST_DEBUG_OBJECT (self, "dropping a signal to %s", to ? to : "everyone");
}

static void
signaller_iface_init (GstWebRTCRoomSignallerInterface * iface)
{
  iface->start = gst_webrtc_room_whip_signaller_start;
  iface->stop = gst_webrtc_room_whip_signaller_stop;
  iface->send = gst_webrtc_room_whip_signaller_send;
}

/* GObject */

static void
gst_webrtc_room_whip_signaller_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_free (self->server_url);
      self->server_url = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      break;
    case PROP_RECEIVE_ONLY:
      self->receive_only = g_value_get_boolean (value);
      break;
    case PROP_SEND_ONLY:
      self->send_only = g_value_get_boolean (value);
      break;
    case PROP_CA_FILE:
      g_free (self->ca_file);
      self->ca_file = g_value_dup_string (value);
      break;
    case PROP_TLS_INSECURE:
      self->tls_insecure = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_whip_signaller_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_RECEIVE_ONLY:
      g_value_set_boolean (value, self->receive_only);
      break;
    case PROP_SEND_ONLY:
      g_value_set_boolean (value, self->send_only);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, self->tls_insecure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_whip_signaller_dispose (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (object);

  if (self->state != STATE_IDLE && self->context)
    gst_webrtc_room_whip_signaller_stop (GST_WEBRTC_ROOM_SIGNALLER (self));
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_webrtc_room_whip_signaller_parent_class)->dispose
      (object);
}

static void
gst_webrtc_room_whip_signaller_finalize (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_WHIP_SIGNALLER (object);

  gst_webrtc_room_send_queue_free (self->signals);
  g_free (self->server_url);
  g_free (self->ca_file);
  g_clear_pointer (&self->database_error, g_error_free);
  g_free (self->url);
  g_free (self->http_url);
  g_free (self->resource_url);
  g_free (self->restart_offer);
  g_clear_pointer (&self->offer, gst_sdp_message_free);
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  g_ptr_array_unref (self->pending_candidates);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_webrtc_room_whip_signaller_parent_class)->finalize
      (object);
}

static void
gst_webrtc_room_whip_signaller_init (Self * self)
{
  g_mutex_init (&self->lock);
  self->server_url = g_strdup (DEFAULT_SERVER_URL);
  self->timeout = DEFAULT_TIMEOUT;
  self->signals = gst_webrtc_room_send_queue_new (self,
      (GstWebRTCRoomRouteFunc) route_outgoing, MAX_QUEUED);
  self->pending_candidates =
      g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
}

static void
gst_webrtc_room_whip_signaller_class_init (GstWebRTCRoomWhipSignallerClass *
    klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (whip_debug, "webrtcroomwhip", 0,
      "WHIP client signaller");
  gobject_class->set_property = gst_webrtc_room_whip_signaller_set_property;
  gobject_class->get_property = gst_webrtc_room_whip_signaller_get_property;
  gobject_class->dispose = gst_webrtc_room_whip_signaller_dispose;
  gobject_class->finalize = gst_webrtc_room_whip_signaller_finalize;

  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url",
      "WHIP URL", "The WHIP endpoint (whip+http:// or whip+https://)",
      DEFAULT_SERVER_URL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", "Timeout",
      "Milliseconds for each HTTP request (rounded up to seconds)", 1000,
      600000, DEFAULT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECEIVE_ONLY] = g_param_spec_boolean ("receive-only",
      "Receive only", "Set for an element that only receives: WHIP cannot "
      "serve it, starting fails with a clear error", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEND_ONLY] = g_param_spec_boolean ("send-only",
      "Send only", "Set for an element that only sends: WHEP cannot serve "
      "it, starting fails with a clear error", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * GstWebRTCRoomWhipSignaller:ca-file:
   *
   * PEM file of the certificate authorities an https:// endpoint's
   * certificate is checked against, instead of the system's (a private
   * CA). Read when the signaller starts; a file that cannot be read fails
   * the start.
   */
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", "CA file",
      "PEM file of the CAs to trust for https:// (default: the system's)",
      NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * GstWebRTCRoomWhipSignaller:tls-insecure:
   *
   * Accept any certificate from an https:// endpoint (self-signed test
   * servers). Never in production: anyone on the path can read and change
   * the offer and answer, media keys included.
   */
  properties[PROP_TLS_INSECURE] = g_param_spec_boolean ("tls-insecure",
      "TLS insecure", "Accept any https:// certificate (testing only)",
      FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);
}

gboolean
gst_webrtc_room_whip_signaller_is_whip_url (const gchar * url)
{
  return url && (!g_ascii_strncasecmp (url, "whip+http://", 12)
      || !g_ascii_strncasecmp (url, "whip+https://", 13)
      || !g_ascii_strncasecmp (url, "whep+http://", 12)
      || !g_ascii_strncasecmp (url, "whep+https://", 13));
}

GstWebRTCRoomSignaller *
gst_webrtc_room_whip_signaller_new (const gchar * whip_url)
{
  return g_object_new (GST_TYPE_WEBRTC_ROOM_WHIP_SIGNALLER, "server-url",
      whip_url ? whip_url : DEFAULT_SERVER_URL, NULL);
}
