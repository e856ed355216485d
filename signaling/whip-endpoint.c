/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* WHIP and WHEP endpoints: each HTTP session (a POSTed offer) becomes a
 * virtual room peer, a WrRoomConn of the room handler whose handle is a
 * Session of ours instead of a WebSocket. Its join, signals and leave go
 * through the handler like any member's; the frames the handler sends it
 * come back through wr_whip_endpoint_deliver(). The participant that
 * opted in answers the offer; the answer, with that participant's
 * candidates (webrtcbin trickles them after the answer, and a WHIP client
 * cannot receive trickled candidates), goes back in the 201. */

#include "whip-endpoint.h"
#include "source-util.h"
#include "tokens.h"

#include <gst/webrtcroom/protocol-private.h>

#include <string.h>
#include <sys/random.h>

#define DEFAULT_MAX_SESSIONS 256
#define DEFAULT_IDLE_TIMEOUT_US (15 * G_USEC_PER_SEC)
#define RESOURCE_ID_BYTES 16
#define ETAG_BYTES 8
/* after the answer, how long the participant's candidates are waited for
 * (webrtcbin on loopback: all of them within ~100 ms) */
#define GATHER_WAIT_MS 2000
#define MAX_CANDIDATES 64
#define SDP_TYPE "application/sdp"
#define SDPFRAG_TYPE "application/trickle-ice-sdpfrag"

typedef enum
{
  KIND_WHIP,
  KIND_WHEP,
} Kind;

static const gchar *const kind_keys[] = { "whip", "whep" };

typedef struct _Session Session;

struct _WrWhipEndpoint
{
  SoupServer *soup;
  WrRoomHandler *handler;
  GBytes *join_secret;
  gint64 answer_timeout_us;
  gint64 idle_timeout_us;
  guint max_sessions;
  WrWhipRunActions run_actions;
  gpointer run_data;
  GHashTable *by_id;            /* resource id -> Session (owned) */
  GHashTable *handles;          /* Session * set: the handler's handles */
  GQueue ending;                /* Sessions to end from an idle */
  GSource *reap_source;
};

struct _Session
{
  WrWhipEndpoint *ep;
  Kind kind;
  gchar id[2 * RESOURCE_ID_BYTES + 1];
  gchar etag[2 * ETAG_BYTES + 3];       /* quoted: the ICE session's tag */
  gchar *room;
  gchar *target;                /* the opted-in participant */
  WrRoomConn *rconn;
  gboolean joined;
  gboolean join_failed;
  GstWebRTCRoomError join_error;
  /* the offer, until the welcome (with --redis-url the join waits for
   * the broker) */
  GstWebRTCRoomSignalPayload *pending_offer;
  JsonArray *ice_servers;       /* of the virtual peer's welcome */
  gboolean idle;                /* the member reported the connection dead */
  gboolean ended;
  gboolean queued;
  GPtrArray *offer_mids;        /* gchar *, by m-line index ("" none) */
  gchar *offer_ufrag;           /* the client's ICE username fragment */
  SoupServerMessage *post;      /* paused until the answer is there */
  gchar *answer;
  GPtrArray *candidates;        /* GstWebRTCRoomSignalPayload * */
  gboolean gathered;
  GSource *timer;
};

static void session_end (Session * s, guint status, const gchar * why);

/* HTTP helpers */

static void
allow_cross_origin (SoupServerMessage * msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* browser WHIP/WHEP clients are served from other origins */
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers",
      "Location, Accept-Patch, Link, ETag");
}

static void
respond (SoupServerMessage * msg, guint status, const gchar * text)
{
  allow_cross_origin (msg);
  soup_server_message_set_status (msg, status, NULL);
  if (text)
    soup_server_message_set_response (msg, "text/plain; charset=utf-8",
        SOUP_MEMORY_COPY, text, strlen (text));
}

static gboolean
content_type_is (SoupServerMessage * msg, const gchar * type)
{
  const gchar *ct = soup_message_headers_get_content_type
      (soup_server_message_get_request_headers (msg), NULL);

  return ct && !g_ascii_strcasecmp (ct, type);
}

static const gchar *
bearer_token (SoupServerMessage * msg)
{
  const gchar *auth = soup_message_headers_get_one
      (soup_server_message_get_request_headers (msg), "Authorization");

  if (!auth || g_ascii_strncasecmp (auth, "Bearer ", 7))
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return *auth ? auth : NULL;
}

/* The join-token scheme of the WebSocket join (docs/protocol.md "Join
 * tokens"), as a Bearer token */
static gboolean
authorized (WrWhipEndpoint * ep, SoupServerMessage * msg, const gchar * room)
{
  const gchar *token = bearer_token (msg);

  if (!ep->join_secret)
    return TRUE;
  if (token && wr_token_check_join (ep->join_secret, token, room,
          g_get_real_time () / G_USEC_PER_SEC))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "WWW-Authenticate", "Bearer");
  respond (msg, SOUP_STATUS_UNAUTHORIZED, token ?
      "the token is invalid, expired or for another room" :
      "this server requires a Bearer token");
  return FALSE;
}

/* SDP text */

static gchar **
sdp_lines (const gchar * sdp)
{
  g_auto (GStrv) raw = g_strsplit (sdp, "\n", -1);
  GPtrArray *lines = g_ptr_array_new ();
  guint i;

  for (i = 0; raw[i]; i++) {
    gsize len = strlen (raw[i]);

    if (len && raw[i][len - 1] == '\r')
      raw[i][--len] = '\0';
    if (len)
      g_ptr_array_add (lines, g_strdup (raw[i]));
  }
  g_ptr_array_add (lines, NULL);
  return (gchar **) g_ptr_array_free (lines, FALSE);
}

/* The first ICE username fragment of @lines (session level or an
 * m-section), NULL when there is none */
static const gchar *
find_ufrag (gchar ** lines)
{
  guint i;

  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "a=ice-ufrag:"))
      return lines[i] + 12;
  }
  return NULL;
}

/* The mids of @sdp by m-line index ("" for an m-line without one), the
 * kinds of its m-lines and its ICE username fragment; FALSE when it is
 * no SDP we can relay */
static gboolean
parse_offer (const gchar * sdp, GPtrArray * mids, gboolean * audio,
    gboolean * video, gchar ** ufrag)
{
  g_auto (GStrv) lines = sdp_lines (sdp);
  guint i;

  if (!lines[0] || !g_str_has_prefix (lines[0], "v="))
    return FALSE;
  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "m=")) {
      if (mids->len >= GST_WEBRTC_ROOM_MAX_MLINES)
        return FALSE;
      g_ptr_array_add (mids, g_strdup (""));
      if (g_str_has_prefix (lines[i], "m=audio "))
        *audio = TRUE;
      else if (g_str_has_prefix (lines[i], "m=video "))
        *video = TRUE;
    } else if (g_str_has_prefix (lines[i], "a=mid:") && mids->len) {
      g_free (mids->pdata[mids->len - 1]);
      mids->pdata[mids->len - 1] = g_strdup (lines[i] + 6);
    }
  }
  *ufrag = g_strdup (find_ufrag (lines));
  return mids->len > 0;
}

static void
append_candidates (Session * s, GString * out, gint index, const gchar * mid)
{
  guint i;

  if (index < 0)
    return;
  for (i = 0; i < s->candidates->len; i++) {
    GstWebRTCRoomSignalPayload *c = s->candidates->pdata[i];
    gboolean match = c->sdp_mid ? !g_strcmp0 (c->sdp_mid, mid) :
        c->sdp_mline_index == index;
    const gchar *line = c->candidate;

    if (!match)
      continue;
    if (g_str_has_prefix (line, "a="))
      line += 2;
    g_string_append_printf (out, "a=%s\r\n", line);
  }
  if (s->gathered)
    g_string_append (out, "a=end-of-candidates\r\n");
}

/* The answer with the participant's candidates in their m-sections */
static gchar *
answer_with_candidates (Session * s)
{
  g_auto (GStrv) lines = sdp_lines (s->answer);
  GString *out = g_string_new (NULL);
  g_autofree gchar *mid = NULL;
  gint index = -1;
  guint i;

  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "m=")) {
      append_candidates (s, out, index, mid);
      index++;
      g_clear_pointer (&mid, g_free);
    } else if (g_str_has_prefix (lines[i], "a=mid:")) {
      g_free (mid);
      mid = g_strdup (lines[i] + 6);
    } else if (g_str_has_prefix (lines[i], "a=end-of-candidates")) {
      continue;
    }
    g_string_append_printf (out, "%s\r\n", lines[i]);
  }
  append_candidates (s, out, index, mid);
  return g_string_free (out, FALSE);
}

/* Sessions */

static void
run (WrWhipEndpoint * ep, GArray * actions)
{
  if (actions->len)
    ep->run_actions (actions, ep->run_data);
}

static void
set_timer (Session * s, guint ms, GSourceFunc func)
{
  wr_source_clear (&s->timer);
  s->timer = g_timeout_source_new (ms);
  g_source_set_callback (s->timer, func, s, NULL);
  g_source_attach (s->timer, g_main_context_get_thread_default ());
}

static void session_post_finished (SoupServerMessage * msg, Session * s);

/* Lets go of the paused POST, with @status */
static void
release_post (Session * s, guint status, const gchar * text)
{
  SoupServerMessage *msg = s->post;

  if (!msg)
    return;
  s->post = NULL;
  g_signal_handlers_disconnect_by_func (msg, session_post_finished, s);
  if (status)
    respond (msg, status, text);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static void
session_free (Session * s)
{
  wr_source_clear (&s->timer);
  release_post (s, SOUP_STATUS_SERVICE_UNAVAILABLE, "session ended");
  g_free (s->room);
  g_free (s->target);
  g_free (s->answer);
  g_clear_pointer (&s->ice_servers, json_array_unref);
  g_ptr_array_unref (s->offer_mids);
  g_free (s->offer_ufrag);
  g_clear_pointer (&s->pending_offer, gst_webrtc_room_signal_payload_free);
  g_ptr_array_unref (s->candidates);
  g_free (s);
}

/* The virtual peer's join was refused: 401 for the token, else 503 */
static void
respond_join_failed (Session * s, SoupServerMessage * msg)
{
  respond (msg, s->join_error == GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED ?
      SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_SERVICE_UNAVAILABLE,
      gst_webrtc_room_error_to_code (s->join_error));
}

static gboolean
on_reap (gpointer data)
{
  WrWhipEndpoint *ep = data;
  Session *s;

  g_clear_pointer (&ep->reap_source, g_source_unref);
  while ((s = g_queue_pop_head (&ep->ending))) {
    s->queued = FALSE;
    if (s->join_failed && s->post) {
      /* refused by the broker (a full room): the paused POST says why */
      respond_join_failed (s, s->post);
      session_end (s, 0, NULL);
      continue;
    }
    session_end (s, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "the participant serving this session left");
  }
  return G_SOURCE_REMOVE;
}

/* Ends @s outside the handler's action loop we are called from */
static void
session_end_later (Session * s)
{
  WrWhipEndpoint *ep = s->ep;

  if (s->ended || s->queued)
    return;
  s->queued = TRUE;
  g_queue_push_tail (&ep->ending, s);
  if (!ep->reap_source) {
    ep->reap_source = g_idle_source_new ();
    g_source_set_callback (ep->reap_source, on_reap, ep, NULL);
    g_source_attach (ep->reap_source, g_main_context_get_thread_default ());
  }
}

/* The virtual peer leaves the room (the others get peer-left `left`), a
 * POST still waiting gets @status, and @s is freed. */
static void
session_end (Session * s, guint status, const gchar * why)
{
  WrWhipEndpoint *ep = s->ep;

  if (s->ended)
    return;
  s->ended = TRUE;
  if (s->queued) {
    g_queue_remove (&ep->ending, s);
    s->queued = FALSE;
  }
  wr_source_clear (&s->timer);
  release_post (s, status, why);
  if (s->rconn) {
    g_autoptr (GArray) actions = wr_actions_new ();

    wr_room_handler_disconnect (ep->handler, s->rconn, WR_DISCONNECT_CLEAN,
        g_get_real_time (), actions);
    s->rconn = NULL;
    /* still a known handle: actions addressed to it are ignored */
    run (ep, actions);
  }
  g_info ("%s session %s in room %s ended", kind_keys[s->kind], s->id, s->room);
  g_hash_table_remove (ep->handles, s);
  g_hash_table_remove (ep->by_id, s->id);
}

static void
send_signal (Session * s, GstWebRTCRoomSignalPayload * payload)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_SIGNAL };
  g_autoptr (JsonObject) data = gst_webrtc_room_signal_payload_to_json
      (payload);
  g_autoptr (GArray) actions = wr_actions_new ();

  if (!s->rconn)
    return;
  msg.to = s->target;
  msg.data = data;
  wr_room_handler_message (s->ep->handler, s->rconn, &msg, g_get_real_time (),
      actions);
  run (s->ep, actions);
}

/* The client's offer goes to the opted-in participant, once joined */
static void
send_offer (Session * s)
{
  g_autoptr (GstWebRTCRoomSignalPayload) offer =
      g_steal_pointer (&s->pending_offer);

  g_info ("%s session %s in room %s: offer relayed to %s", kind_keys[s->kind],
      s->id, s->room, s->target);
  send_signal (s, offer);
}

/* A value for a quoted-string of a header (RFC 9110 5.6.4); FALSE for one
 * that cannot be written there (control characters, non-ASCII) */
static gboolean
append_quoted (GString * out, const gchar * value)
{
  const gchar *p;

  for (p = value; *p; p++) {
    if ((guchar) * p < 0x20 || (guchar) * p >= 0x7f)
      return FALSE;
  }
  g_string_append_c (out, '"');
  for (p = value; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
  return TRUE;
}

static void
append_link (SoupMessageHeaders * headers, const gchar * url,
    const gchar * username, const gchar * credential)
{
  g_autoptr (GString) link = g_string_new (NULL);
  const gchar *p;

  for (p = url; *p; p++) {
    if ((guchar) * p <= 0x20 || (guchar) * p >= 0x7f || *p == '<' || *p == '>')
      return;
  }
  g_string_append_printf (link, "<%s>; rel=\"ice-server\"", url);
  if (username && credential && (g_str_has_prefix (url, "turn:")
          || g_str_has_prefix (url, "turns:"))) {
    g_string_append (link, "; username=");
    if (!append_quoted (link, username))
      return;
    g_string_append (link, "; credential=");
    if (!append_quoted (link, credential))
      return;
    g_string_append (link, "; credential-type=\"password\"");
  }
  soup_message_headers_append (headers, "Link", link->str);
}

/* RFC 9725 4.6: the ICE servers of the welcome the virtual peer got (the
 * server's STUN responder, its --stun-url and --turn-url servers, TURN
 * credentials made for this peer), one Link header per URL */
static void
add_ice_server_links (Session * s, SoupMessageHeaders * headers)
{
  guint i, j;

  for (i = 0; s->ice_servers && i < json_array_get_length (s->ice_servers); i++) {
    JsonNode *node = json_array_get_element (s->ice_servers, i);
    JsonObject *server;
    JsonNode *urls;
    const gchar *username, *credential;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    server = json_node_get_object (node);
    username = gst_webrtc_room_json_get_string (server, "username");
    credential = gst_webrtc_room_json_get_string (server, "credential");
    urls = json_object_get_member (server, "urls");
    if (urls && JSON_NODE_HOLDS_VALUE (urls)
        && json_node_get_value_type (urls) == G_TYPE_STRING) {
      append_link (headers, json_node_get_string (urls), username, credential);
    } else if (urls && JSON_NODE_HOLDS_ARRAY (urls)) {
      JsonArray *list = json_node_get_array (urls);

      for (j = 0; j < json_array_get_length (list); j++) {
        JsonNode *url = json_array_get_element (list, j);

        if (JSON_NODE_HOLDS_VALUE (url)
            && json_node_get_value_type (url) == G_TYPE_STRING)
          append_link (headers, json_node_get_string (url), username,
              credential);
      }
    }
  }
}

static void
respond_answer (Session * s)
{
  SoupServerMessage *msg = s->post;
  SoupMessageHeaders *headers;
  g_autofree gchar *location = NULL;
  gchar *sdp;

  if (!msg)
    return;
  wr_source_clear (&s->timer);
  headers = soup_server_message_get_response_headers (msg);
  location = g_strdup_printf ("/%s/%s/%s", kind_keys[s->kind], s->room, s->id);
  soup_message_headers_replace (headers, "Location", location);
  soup_message_headers_replace (headers, "Accept-Patch", SDPFRAG_TYPE);
  soup_message_headers_replace (headers, "ETag", s->etag);
  add_ice_server_links (s, headers);
  allow_cross_origin (msg);
  sdp = answer_with_candidates (s);
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (msg, SDP_TYPE, SOUP_MEMORY_TAKE, sdp,
      strlen (sdp));
  g_info ("%s session %s in room %s answered by %s (%u candidates)",
      kind_keys[s->kind], s->id, s->room, s->target, s->candidates->len);
  release_post (s, 0, NULL);
}

static gboolean
on_gather_timeout (gpointer data)
{
  Session *s = data;

  g_clear_pointer (&s->timer, g_source_unref);
  respond_answer (s);
  return G_SOURCE_REMOVE;
}

static gboolean
on_answer_timeout (gpointer data)
{
  Session *s = data;

  g_clear_pointer (&s->timer, g_source_unref);
  g_info ("%s session %s: %s gave no answer in time", kind_keys[s->kind],
      s->id, s->target);
  session_end (s, SOUP_STATUS_GATEWAY_TIMEOUT,
      "the participant did not answer in time");
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_timeout (gpointer data)
{
  Session *s = data;

  g_clear_pointer (&s->timer, g_source_unref);
  g_info ("%s session %s in room %s: %s reported the connection dead "
      "%" G_GINT64_FORMAT " s ago, ending it", kind_keys[s->kind], s->id,
      s->room, s->target, s->ep->idle_timeout_us / G_USEC_PER_SEC);
  session_end (s, 0, NULL);
  return G_SOURCE_REMOVE;
}

/* A new offer from the member once the 201 went out: its connection to
 * the client died (the elements' media watchdog or an ICE failure
 * replaces the connection and offers again, `restart`), or never came up.
 * WHIP and WHEP have no renegotiation, so the session cannot recover: it
 * ends after the idle timeout unless the client DELETEs it first. */
static void
mark_idle (Session * s)
{
  if (s->idle || s->post)
    return;
  s->idle = TRUE;
  g_info ("%s session %s in room %s: %s offered again (connection to the "
      "client lost), idle", kind_keys[s->kind], s->id, s->room, s->target);
  set_timer (s, s->ep->idle_timeout_us / 1000, on_idle_timeout);
}

static void
on_target_signal (Session * s, JsonObject * data)
{
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  g_autoptr (GError) error = NULL;

  payload = gst_webrtc_room_signal_payload_parse (data, &error);
  if (!payload) {
    g_info ("%s session %s: bad signal from %s: %s", kind_keys[s->kind],
        s->id, s->target, error->message);
    return;
  }
  switch (payload->type) {
    case GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION:
      /* WHIP and WHEP have no renegotiation: later offers are dropped */
      if (payload->sdp_type == GST_WEBRTC_ROOM_SDP_OFFER && s->answer)
        mark_idle (s);
      if (payload->sdp_type != GST_WEBRTC_ROOM_SDP_ANSWER || s->answer)
        return;
      s->answer = g_strdup (payload->sdp);
      if (s->gathered)
        respond_answer (s);
      else if (s->post)
        set_timer (s, GATHER_WAIT_MS, on_gather_timeout);
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE:
      if (s->candidates->len < MAX_CANDIDATES)
        g_ptr_array_add (s->candidates, g_steal_pointer (&payload));
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES:
      s->gathered = TRUE;
      if (s->answer)
        respond_answer (s);
      break;
    default:
      break;
  }
}

gboolean
wr_whip_endpoint_deliver (WrWhipEndpoint * ep, const WrAction * action)
{
  Session *s = action->conn;
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;

  if (!g_hash_table_size (ep->handles)
      || !g_hash_table_contains (ep->handles, s))
    return FALSE;
  if (s->ended)
    return TRUE;
  if (action->type == WR_ACTION_CLOSE) {
    session_end_later (s);
    return TRUE;
  }
  msg = gst_webrtc_room_message_parse (action->text, -1,
      GST_WEBRTC_ROOM_TO_CLIENT, NULL, NULL);
  if (!msg)
    return TRUE;
  switch (msg->type) {
    case GST_WEBRTC_ROOM_MESSAGE_WELCOME:
      s->joined = TRUE;
      if (msg->ice_servers && !s->ice_servers)
        s->ice_servers = json_array_ref (msg->ice_servers);
      /* a join that waited for the broker: the POST is paused */
      if (s->pending_offer && s->post)
        send_offer (s);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_ERROR:
      if (!s->joined) {
        s->join_failed = TRUE;
        s->join_error = msg->code;
        if (s->post)
          session_end_later (s);
      }
      break;
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
      if (!g_strcmp0 (msg->from, s->target) && msg->data)
        on_target_signal (s, msg->data);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT:
      if (!g_strcmp0 (msg->peer, s->target))
        session_end_later (s);
      break;
    default:
      break;
  }
  return TRUE;
}

static void
session_post_finished (SoupServerMessage * msg, Session * s)
{
  /* the client went away while waiting: nobody will use the answer */
  if (s->post != msg)
    return;
  g_signal_handlers_disconnect_by_func (msg, session_post_finished, s);
  s->post = NULL;
  g_object_unref (msg);
  session_end_later (s);
}

static JsonObject *
virtual_peer_meta (Session * s, gboolean audio, gboolean video)
{
  JsonObject *meta = json_object_new ();
  JsonArray *sends = json_array_new ();

  /* roles (docs/protocol.md "Roles"): a WHIP client sends the kinds of
   * its offer, a WHEP player receives; `for` keeps every other member
   * from connecting to it */
  if (s->kind == KIND_WHIP) {
    if (video)
      json_array_add_string_element (sends, "video");
    if (audio)
      json_array_add_string_element (sends, "audio");
  }
  json_object_set_array_member (meta, "sends", sends);
  json_object_set_boolean_member (meta, "receives", s->kind == KIND_WHEP);
  json_object_set_string_member (meta, "gateway", kind_keys[s->kind]);
  json_object_set_string_member (meta, "for", s->target);
  return meta;
}

static void
random_hex (gchar * out, gsize n_bytes)
{
  guint8 bytes[RESOURCE_ID_BYTES];
  gsize got = 0, i;

  g_assert (n_bytes <= sizeof (bytes));
  while (got < n_bytes) {
    ssize_t n = getrandom (bytes + got, n_bytes - got, 0);

    if (n > 0)
      got += n;
  }
  for (i = 0; i < n_bytes; i++)
    g_snprintf (out + 2 * i, 3, "%02x", bytes[i]);
}

static Session *
session_new (WrWhipEndpoint * ep, Kind kind, const gchar * room,
    const gchar * target)
{
  Session *s = g_new0 (Session, 1);

  random_hex (s->id, RESOURCE_ID_BYTES);
  s->etag[0] = '"';
  random_hex (s->etag + 1, ETAG_BYTES);
  s->etag[2 * ETAG_BYTES + 1] = '"';
  s->etag[2 * ETAG_BYTES + 2] = '\0';
  s->ep = ep;
  s->kind = kind;
  s->room = g_strdup (room);
  s->target = g_strdup (target);
  s->offer_mids = g_ptr_array_new_with_free_func (g_free);
  s->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_webrtc_room_signal_payload_free);
  g_hash_table_insert (ep->by_id, s->id, s);
  g_hash_table_add (ep->handles, s);
  return s;
}

/* POST /whip/<room>, /whep/<room>: the offer */
static void
handle_post (WrWhipEndpoint * ep, SoupServerMessage * msg, Kind kind,
    const gchar * room)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GstWebRTCRoomSignalPayload) offer = NULL;
  g_autoptr (JsonObject) meta = NULL;
  g_autoptr (GArray) actions = NULL;
  g_autofree gchar *sdp = NULL;
  GstWebRTCRoomMessage join = {.type = GST_WEBRTC_ROOM_MESSAGE_JOIN };
  const gchar *target;
  gboolean room_exists, audio = FALSE, video = FALSE;
  Session *s;

  if (!content_type_is (msg, SDP_TYPE)) {
    respond (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
        "the offer must be " SDP_TYPE);
    return;
  }
  if (!body->length || !body->data) {
    respond (msg, SOUP_STATUS_BAD_REQUEST, "no SDP offer in the body");
    return;
  }
  if (!authorized (ep, msg, room))
    return;
  sdp = g_strndup (body->data, body->length);
  if (strlen (sdp) != (gsize) body->length || !g_utf8_validate (sdp, -1, NULL)) {
    respond (msg, SOUP_STATUS_BAD_REQUEST, "the offer is not UTF-8 text");
    return;
  }
  target = wr_room_handler_find_member (ep->handler, room, kind_keys[kind],
      &room_exists);
  if (!room_exists) {
    respond (msg, SOUP_STATUS_NOT_FOUND, "no such room");
    return;
  }
  if (!target) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", "5");
    respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, kind == KIND_WHIP ?
        "nobody in this room takes WHIP publishers (whip: true)" :
        "nobody in this room serves WHEP players (whep: true)");
    return;
  }
  if (g_hash_table_size (ep->by_id) >= ep->max_sessions) {
    respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many sessions");
    return;
  }
  offer = gst_webrtc_room_signal_payload_new_description
      (GST_WEBRTC_ROOM_SDP_OFFER, sdp, FALSE);

  s = session_new (ep, kind, room, target);
  if (!parse_offer (sdp, s->offer_mids, &audio, &video, &s->offer_ufrag)
      || strlen (sdp) > GST_WEBRTC_ROOM_MAX_SDP_BYTES) {
    respond (msg, SOUP_STATUS_BAD_REQUEST, "the body is not an SDP offer "
        "with 1 to 32 m-lines of at most 128 KiB");
    session_end (s, 0, NULL);
    return;
  }

  /* the virtual peer joins, like a WebSocket client's join */
  meta = virtual_peer_meta (s, audio, video);
  join.room = s->room;
  join.name = kind == KIND_WHIP ? "WHIP publisher" : "WHEP player";
  join.meta = meta;
  join.offers = TRUE;
  join.token = (gchar *) bearer_token (msg);
  s->rconn = wr_room_handler_connect (ep->handler, s, g_get_real_time ());
  actions = wr_actions_new ();
  wr_room_handler_message (ep->handler, s->rconn, &join, g_get_real_time (),
      actions);
  s->pending_offer = g_steal_pointer (&offer);
  run (ep, actions);
  if (s->join_failed) {
    respond_join_failed (s, msg);
    session_end (s, 0, NULL);
    return;
  }
  /* the answer timeout covers a join that waits for the broker too */
  s->post = g_object_ref (msg);
  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (session_post_finished), s);
  set_timer (s, ep->answer_timeout_us / 1000, on_answer_timeout);
  if (s->joined)
    send_offer (s);
}

static gint
mline_index_of (Session * s, const gchar * mid)
{
  guint i;

  for (i = 0; mid && i < s->offer_mids->len; i++) {
    if (g_str_equal (s->offer_mids->pdata[i], mid))
      return i;
  }
  return -1;
}

/* RFC 9725 4.3.1 with RFC 9110 13.1.1: no If-Match, `*`, or a list that
 * holds the session's ETag (strong comparison: a W/ tag never matches) */
static gboolean
if_match (Session * s, SoupServerMessage * msg)
{
  const gchar *value = soup_message_headers_get_list
      (soup_server_message_get_request_headers (msg), "If-Match");
  g_autoptr (GSList) tags = NULL;
  gboolean match = FALSE;
  GSList *l;

  if (!value)
    return TRUE;
  tags = soup_header_parse_list (value);
  for (l = tags; l; l = l->next) {
    if (g_str_equal (l->data, "*") || g_str_equal (l->data, s->etag))
      match = TRUE;
  }
  g_slist_free_full (g_steal_pointer (&tags), g_free);
  return match;
}

/* PATCH: trickle-ice-sdpfrag (RFC 8840) candidates of the client, each
 * relayed as a candidate signal.
 *
 * A fragment with other ICE credentials than the offer's is an ICE
 * restart (RFC 9725 4.3.2). The member cannot do one (webrtcbin 1.22 has
 * no ICE restart, and a new connection would need a new DTLS handshake
 * the client does not expect), so it gets 422, the RFC's answer for a
 * kind of PATCH that is not supported, and the session stays as it was:
 * the client may DELETE it and POST a new offer, which is what our own
 * WHIP client does when its connection dies. */
static void
handle_patch (WrWhipEndpoint * ep, SoupServerMessage * msg, Session * s)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *mid = NULL;
  const gchar *ufrag;
  gint frag_index = -1;
  guint i, n = 0;

  if (!content_type_is (msg, SDPFRAG_TYPE)) {
    respond (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
        "trickle must be " SDPFRAG_TYPE);
    return;
  }
  if (!if_match (s, msg)) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "ETag", s->etag);
    respond (msg, SOUP_STATUS_PRECONDITION_FAILED, "If-Match does not match "
        "the ICE session's ETag");
    return;
  }
  text = g_strndup (body->data ? body->data : "", body->length);
  if (!g_utf8_validate (text, -1, NULL)) {
    respond (msg, SOUP_STATUS_BAD_REQUEST, "the body is not UTF-8 text");
    return;
  }
  lines = sdp_lines (text);
  ufrag = find_ufrag (lines);
  if (ufrag && s->offer_ufrag && !g_str_equal (ufrag, s->offer_ufrag)) {
    g_info ("%s session %s: ICE restart asked for, not supported",
        kind_keys[s->kind], s->id);
    respond (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "ICE restarts are not "
        "supported: DELETE this session and POST a new offer");
    return;
  }
  for (i = 0; lines[i] && n < MAX_CANDIDATES; i++) {
    if (g_str_has_prefix (lines[i], "m=")) {
      frag_index++;
      g_clear_pointer (&mid, g_free);
    } else if (g_str_has_prefix (lines[i], "a=mid:")) {
      g_free (mid);
      mid = g_strdup (lines[i] + 6);
    } else if (g_str_has_prefix (lines[i], "a=candidate:")) {
      gint index = mid ? mline_index_of (s, mid) : MAX (frag_index, 0);
      g_autoptr (GstWebRTCRoomSignalPayload) c =
          gst_webrtc_room_signal_payload_new_candidate (lines[i] + 2, mid,
          index);

      send_signal (s, c);
      n++;
    }
  }
  allow_cross_origin (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
handle_resource (WrWhipEndpoint * ep, SoupServerMessage * msg, Kind kind,
    const gchar * room, const gchar * id)
{
  const gchar *method = soup_server_message_get_method (msg);
  Session *s = g_hash_table_lookup (ep->by_id, id);

  if (!g_str_equal (method, "PATCH") && !g_str_equal (method, "DELETE")) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "PATCH, DELETE, OPTIONS");
    respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  if (!authorized (ep, msg, room))
    return;
  if (!s || s->ended || s->kind != kind || !g_str_equal (s->room, room)) {
    respond (msg, SOUP_STATUS_NOT_FOUND, "no such session");
    return;
  }
  if (g_str_equal (method, "DELETE")) {
    session_end (s, SOUP_STATUS_SERVICE_UNAVAILABLE, "session deleted");
    respond (msg, SOUP_STATUS_OK, NULL);
    return;
  }
  handle_patch (ep, msg, s);
}

static void
on_request (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  WrWhipEndpoint *ep = data;
  const gchar *method = soup_server_message_get_method (msg);
  Kind kind = g_str_has_prefix (path, "/whep") ? KIND_WHEP : KIND_WHIP;
  g_auto (GStrv) parts = NULL;
  guint n;

  /* "/whip/<room>" or "/whip/<room>/<resource id>" */
  if (strlen (path) < 6 || path[5] != '/') {
    respond (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint: use /whip/<room> "
        "or /whep/<room>");
    return;
  }
  parts = g_strsplit (path + 6, "/", -1);
  n = g_strv_length (parts);
  if (n < 1 || n > 2 || !gst_webrtc_room_is_valid_room (parts[0])) {
    respond (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
    return;
  }
  if (g_str_equal (method, "OPTIONS")) {
    SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

    /* CORS preflight of a browser client */
    soup_message_headers_replace (h, "Access-Control-Allow-Methods",
        "POST, PATCH, DELETE, OPTIONS");
    soup_message_headers_replace (h, "Access-Control-Allow-Headers",
        "Authorization, Content-Type, If-Match");
    soup_message_headers_replace (h, "Allow", n == 1 ? "POST, OPTIONS" :
        "PATCH, DELETE, OPTIONS");
    respond (msg, SOUP_STATUS_NO_CONTENT, NULL);
    return;
  }
  if (n == 2) {
    handle_resource (ep, msg, kind, parts[0], parts[1]);
    return;
  }
  if (!g_str_equal (method, "POST")) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "POST, OPTIONS");
    respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  handle_post (ep, msg, kind, parts[0]);
}

/* Bodies are bounded from the headers, before libsoup reads them whole
 * (TRAPS.md: it reads any body before a handler can refuse it) */
static void
on_early (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  g_autoptr (GIOStream) stream = NULL;
  const gchar *response;

  if (encoding == SOUP_ENCODING_NONE || (encoding ==
          SOUP_ENCODING_CONTENT_LENGTH
          && soup_message_headers_get_content_length (headers) <=
          GST_WEBRTC_ROOM_MAX_SDP_BYTES))
    return;
  response = encoding == SOUP_ENCODING_CONTENT_LENGTH ?
      "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n" :
      "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n";
  stream = soup_server_message_steal_connection (msg);
  if (!stream)
    return;
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM
      (g_io_stream_get_output_stream (stream)), response, strlen (response),
      NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

WrWhipEndpoint *
wr_whip_endpoint_new (SoupServer * soup, WrRoomHandler * handler,
    const WrWhipConfig * config, WrWhipRunActions run_actions,
    gpointer user_data)
{
  WrWhipEndpoint *ep = g_new0 (WrWhipEndpoint, 1);
  guint i;

  ep->soup = soup;
  ep->handler = handler;
  if (config->join_secret)
    ep->join_secret = g_bytes_ref (config->join_secret);
  ep->answer_timeout_us = MAX (config->answer_timeout_us, G_USEC_PER_SEC);
  ep->idle_timeout_us = config->idle_timeout_us > 0 ?
      MAX (config->idle_timeout_us, G_USEC_PER_SEC / 10) :
      DEFAULT_IDLE_TIMEOUT_US;
  ep->max_sessions = config->max_sessions ? config->max_sessions :
      DEFAULT_MAX_SESSIONS;
  ep->run_actions = run_actions;
  ep->run_data = user_data;
  ep->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  ep->handles = g_hash_table_new (NULL, NULL);
  g_queue_init (&ep->ending);
  for (i = 0; i < G_N_ELEMENTS (kind_keys); i++) {
    g_autofree gchar *path = g_strdup_printf ("/%s", kind_keys[i]);

    soup_server_add_early_handler (soup, path, on_early, ep, NULL);
    soup_server_add_handler (soup, path, on_request, ep, NULL);
  }
  return ep;
}

guint
wr_whip_endpoint_get_n_sessions (WrWhipEndpoint * ep)
{
  return g_hash_table_size (ep->by_id);
}

void
wr_whip_endpoint_free (WrWhipEndpoint * ep)
{
  GHashTableIter iter;
  gpointer value;

  if (!ep)
    return;
  wr_source_clear (&ep->reap_source);
  g_queue_clear (&ep->ending);
  /* every virtual peer leaves; the handler's actions still run */
  while (g_hash_table_size (ep->by_id)) {
    g_hash_table_iter_init (&iter, ep->by_id);
    if (!g_hash_table_iter_next (&iter, NULL, &value))
      break;
    ((Session *) value)->queued = FALSE;
    session_end (value, SOUP_STATUS_SERVICE_UNAVAILABLE, "server stopping");
  }
  if (ep->soup) {
    soup_server_remove_handler (ep->soup, "/whip");
    soup_server_remove_handler (ep->soup, "/whep");
  }
  g_hash_table_destroy (ep->by_id);
  g_hash_table_destroy (ep->handles);
  g_clear_pointer (&ep->join_secret, g_bytes_unref);
  g_free (ep);
}
