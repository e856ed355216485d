/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Room membership to peer connections, on the element's signalling
 * thread: the signaller's welcome/peer-joined/peer-left/signal become
 * sessions (one webrtcbin each) by the rules of protocol.md "Who offers",
 * with ICE servers from the element properties or the welcome. The room
 * is its own object (roomsessions-private.h): it joins with a copy of the
 * bin's settings and reaches the bin through roombin-private.h only. */

#include "roomsessions-private.h"
#include "roombin-private.h"
#include "websocketsignaller.h"
#include "signallerselect-private.h"

#include <gst/pbutils/pbutils.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define PEER_MEDIA(s) \
    ((GstWebRTCRoomPeerMedia *) gst_webrtc_room_peer_session_get_media (s))

/* how often the media watchdog looks at every peer connection */
#define WATCHDOG_TICK_MS 250

struct _GstWebRTCRoomSessions
{
  GstWebRTCRoomBaseBin *bin;    /* our owner: not a ref */

  /* the signalling thread only */
  GstWebRTCRoomSettings settings;       /* a copy, made when joining */
  gchar *own_id;                /* from the welcome */
  GSource *watchdog;            /* media watchdog tick, while joined */
  gboolean warned_turns;        /* the turns:// warning was posted */
  /* peers a resumed welcome did not list, not seen since (ids): see
   * reconcile_after_resume () */
  GHashTable *unlisted;
  GList *unlisted_checks;       /* UnlistedCheck*, their timers */

  /* under lock: also read from streaming threads and the bin's API */
  GMutex lock;
  GstWebRTCRoomSignaller *signaller;    /* while joined */
  GHashTable *sessions;         /* peer id -> GstWebRTCRoomPeerSession* */
  GHashTable *peer_names;       /* peer id -> name, members seen */
  GHashTable *refused;          /* peer ids refused for max-peers */
  GHashTable *peer_roles;       /* peer id -> GstWebRTCRoomPeerRole* */
  JsonArray *ice_servers;       /* from the welcome */
};

/* ICE configuration: element properties first, then the welcome's
 * iceServers (the room server's own STUN responder by default). */

static gchar *
ice_url_to_gst (const gchar * url, const gchar * username,
    const gchar * credential)
{
  const gchar *rest;
  const gchar *scheme;

  if (g_str_has_prefix (url, "stun:"))
    return g_strdup_printf ("stun://%s", url + 5);
  if (g_str_has_prefix (url, "turns:")) {
    scheme = "turns";
    rest = url + 6;
  } else if (g_str_has_prefix (url, "turn:")) {
    scheme = "turn";
    rest = url + 5;
  } else {
    return NULL;
  }
  if (!username || !credential)
    return NULL;
  {
    g_autofree gchar *user = g_uri_escape_string (username, NULL, FALSE);
    g_autofree gchar *pass = g_uri_escape_string (credential, NULL, FALSE);
    return g_strdup_printf ("%s://%s:%s@%s", scheme, user, pass, rest);
  }
}

static void
ice_servers_from_welcome (JsonArray * servers, gchar ** stun, GPtrArray * turns)
{
  guint i, j;

  for (i = 0; servers && i < json_array_get_length (servers); i++) {
    JsonNode *node = json_array_get_element (servers, i);
    JsonObject *server;
    JsonNode *urls;
    const gchar *username, *credential;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    server = json_node_get_object (node);
    username = json_object_get_string_member_with_default (server,
        "username", NULL);
    credential = json_object_get_string_member_with_default (server,
        "credential", NULL);
    urls = json_object_get_member (server, "urls");
    if (!urls)
      continue;
    if (JSON_NODE_HOLDS_VALUE (urls)) {
      gchar *url = ice_url_to_gst (json_node_get_string (urls), username,
          credential);
      if (url && g_str_has_prefix (url, "stun") && !*stun)
        *stun = url;
      else if (url && g_str_has_prefix (url, "turn"))
        g_ptr_array_add (turns, url);
      else
        g_free (url);
      continue;
    }
    if (!JSON_NODE_HOLDS_ARRAY (urls))
      continue;
    for (j = 0; j < json_array_get_length (json_node_get_array (urls)); j++) {
      const gchar *u =
          json_array_get_string_element (json_node_get_array (urls), j);
      gchar *url = u ? ice_url_to_gst (u, username, credential) : NULL;
      if (url && g_str_has_prefix (url, "stun") && !*stun)
        *stun = url;
      else if (url && g_str_has_prefix (url, "turn"))
        g_ptr_array_add (turns, url);
      else
        g_free (url);
    }
  }
}

static GStrv
split_list (const gchar * list)
{
  g_auto (GStrv) parts = NULL;
  GPtrArray *out = g_ptr_array_new ();
  guint i;

  if (list) {
    parts = g_strsplit_set (list, ", ", -1);
    for (i = 0; parts[i]; i++) {
      if (*parts[i])
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

static void
ice_config_init (GstWebRTCRoomSessions * self, GstWebRTCRoomIceConfig * config)
{
  g_autoptr (GPtrArray) turns = g_ptr_array_new ();
  g_auto (GStrv) user_turns = NULL;
  guint i;

  config->stun_server = g_strdup (self->settings.stun_server);
  user_turns = split_list (self->settings.turn_servers);
  config->ice_transport_policy = self->settings.policy;
  config->local_addresses = split_list (self->settings.local_addresses);
  config->upnp = self->settings.upnp;
  config->ice_tcp = self->settings.ice_tcp;
  config->latency = self->settings.latency;
  config->nack = self->settings.nack;
  config->fec = self->settings.fec;
  /* webrtcroomsrc has no fec property: a receiver always offers and accepts
   * ULPFEC/RED, which costs nothing unless a sender with fec=true uses it */
  if (gst_webrtc_room_base_bin_get_mode (self->bin) ==
      GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    config->fec = TRUE;

  for (i = 0; user_turns[i]; i++)
    g_ptr_array_add (turns, g_strdup (user_turns[i]));
  g_mutex_lock (&self->lock);
  if (!config->stun_server || user_turns[0] == NULL) {
    gchar *stun = NULL;
    g_autoptr (GPtrArray) welcome_turns = g_ptr_array_new ();
    ice_servers_from_welcome (self->ice_servers, &stun, welcome_turns);
    if (!config->stun_server)
      config->stun_server = stun;
    else
      g_free (stun);
    for (i = 0; i < welcome_turns->len; i++) {
      if (user_turns[0] == NULL)
        g_ptr_array_add (turns, welcome_turns->pdata[i]);
      else
        g_free (welcome_turns->pdata[i]);
    }
  }
  g_mutex_unlock (&self->lock);
  for (i = 0; i < turns->len && !self->warned_turns; i++) {
    /* libnice (0.1.21) opens a plain TCP connection for a TLS relay in
     * RFC 5245 mode: the URI works with TURN servers that take TURN over
     * TCP on that port (coturn's TLS listener does), never with TLS-only
     * ones, and nothing is encrypted to the server */
    const gchar *url = turns->pdata[i];
    const gchar *at;

    if (!g_str_has_prefix (url, "turns://"))
      continue;
    at = strrchr (url, '@');
    self->warned_turns = TRUE;
    GST_ELEMENT_WARNING (self->bin, RESOURCE, SETTINGS,
        ("TURN over TLS is not available: %s is reached over plain TCP",
            at ? at + 1 : url + strlen ("turns://")),
        ("libnice does not implement TLS to TURN servers"));
  }
  g_ptr_array_add (turns, NULL);
  config->turn_servers = (GStrv) g_ptr_array_steal (turns, NULL);
}

/* Roles: who a peer connection is for (DESIGN.md "Roles decide
 * connections") */

void
gst_webrtc_room_peer_role_from_meta (GstWebRTCRoomPeerRole * role,
    JsonObject * meta)
{
  JsonNode *node;

  role->sends_video = role->sends_audio = role->receives = TRUE;
  role->data = FALSE;
  role->gateway_for[0] = '\0';
  role->gateway = FALSE;
  if (!meta)
    return;
  node = json_object_get_member (meta, "gateway");
  role->gateway = node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
  node = json_object_get_member (meta, "for");
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING) {
    /* an id that cannot be ours still marks the peer as someone else's */
    g_strlcpy (role->gateway_for, json_node_get_string (node),
        sizeof (role->gateway_for));
    if (!role->gateway_for[0])
      g_strlcpy (role->gateway_for, "-", sizeof (role->gateway_for));
  }
  node = json_object_get_member (meta, "sends");
  if (node && JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *kinds = json_node_get_array (node);
    guint i, n = MIN (json_array_get_length (kinds), 16);

    role->sends_video = role->sends_audio = FALSE;
    for (i = 0; i < n; i++) {
      JsonNode *kind = json_array_get_element (kinds, i);
      const gchar *str;

      if (!JSON_NODE_HOLDS_VALUE (kind)
          || json_node_get_value_type (kind) != G_TYPE_STRING)
        continue;
      str = json_node_get_string (kind);
      if (!g_strcmp0 (str, "video"))
        role->sends_video = TRUE;
      else if (!g_strcmp0 (str, "audio"))
        role->sends_audio = TRUE;
    }
  }
  node = json_object_get_member (meta, "receives");
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    role->receives = json_node_get_boolean (node);
  node = json_object_get_member (meta, "data");
  if (node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    role->data = json_node_get_boolean (node);
}

gboolean
gst_webrtc_room_peer_role_sends (const GstWebRTCRoomPeerRole * role,
    const gchar * kind)
{
  if (!g_strcmp0 (kind, "video"))
    return role->sends_video;
  if (!g_strcmp0 (kind, "audio"))
    return role->sends_audio;
  return role->sends_video || role->sends_audio;
}

/* A pair connects only where media flows at least one way, or both asked
 * for data channels: two viewers, or two publishers, never do. */
gboolean
gst_webrtc_room_peer_roles_connect (const GstWebRTCRoomPeerRole * a,
    const GstWebRTCRoomPeerRole * b)
{
  gboolean a_sends = a->sends_video || a->sends_audio;
  gboolean b_sends = b->sends_video || b->sends_audio;

  return (a_sends && b->receives) || (b_sends && a->receives)
      || (a->data && b->data);
}

static void
remote_role (GstWebRTCRoomSessions * self, const gchar * peer_id,
    GstWebRTCRoomPeerRole * role)
{
  GstWebRTCRoomPeerRole *known;

  g_mutex_lock (&self->lock);
  known = g_hash_table_lookup (self->peer_roles, peer_id);
  if (known) {
    *role = *known;
  } else {
    GstWebRTCRoomPeerRole fallback = GST_WEBRTC_ROOM_PEER_ROLE_DEFAULT;
    *role = fallback;
  }
  g_mutex_unlock (&self->lock);
}

/* Whether we open a peer connection to @peer_id at all. */
static gboolean
wants_connection (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  GstWebRTCRoomPeerRole own, other;

  gst_webrtc_room_base_bin_get_own_role (self->bin, &own);
  remote_role (self, peer_id, &other);
  if (other.gateway_for[0]) {
    /* the room server's WHIP/WHEP session for another member (its
     * offer comes to that member only) */
    if (g_strcmp0 (self->own_id, other.gateway_for)) {
      GST_INFO_OBJECT (self->bin, "peer %s is a WHIP/WHEP session for %s: no "
          "peer connection", peer_id, other.gateway_for);
      return FALSE;
    }
  }
  if (gst_webrtc_room_peer_roles_connect (&own, &other))
    return TRUE;
  GST_INFO_OBJECT (self->bin, "no media between us and peer %s (it sends%s%s, "
      "%sreceives): no peer connection", peer_id,
      other.sends_video ? " video" : "", other.sends_audio ? " audio" : "",
      other.receives ? "" : "never ");
  return FALSE;
}

/* Sessions (context thread) */

/* max-peers (issue 11): every peer costs a webrtcbin and its threads; a
 * room member beyond the limit is refused once, with a message, and its
 * signals are then ignored. Returns TRUE when @peer_id may not get a
 * session. */
static gboolean
refuse_beyond_max_peers (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  guint max_peers = self->settings.max_peers, n_sessions;
  gboolean first;

  g_mutex_lock (&self->lock);
  n_sessions = g_hash_table_size (self->sessions);
  if (n_sessions < max_peers) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  if (!self->refused)
    self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  first = !g_hash_table_contains (self->refused, peer_id);
  if (first)
    g_hash_table_add (self->refused, g_strdup (peer_id));
  g_mutex_unlock (&self->lock);
  if (!first)
    return TRUE;
  GST_WARNING_OBJECT (self->bin,
      "refusing peer %s: already %u peer connections " "(max-peers)", peer_id,
      n_sessions);
  gst_webrtc_room_base_bin_post_peer_message (self->bin,
      "webrtcroom-peer-refused", peer_id, "reason", G_TYPE_STRING, "max-peers",
      "max-peers", G_TYPE_UINT, max_peers, NULL);
  GST_ELEMENT_WARNING (self->bin, RESOURCE, BUSY,
      ("Refused peer %s: this element already has %u peer connections "
          "(max-peers)", peer_id, max_peers), (NULL));
  return TRUE;
}

static void
forget_refused (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  g_mutex_lock (&self->lock);
  if (self->refused) {
    if (peer_id)
      g_hash_table_remove (self->refused, peer_id);
    else
      g_clear_pointer (&self->refused, g_hash_table_unref);
  }
  g_mutex_unlock (&self->lock);
}

/* The session of @peer_id, NULL once it is gone. Any thread; only the
 * signalling thread frees sessions, so the pointer stays valid there. */
static GstWebRTCRoomPeerSession *
lookup_session (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  GstWebRTCRoomPeerSession *s;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->sessions, peer_id);
  g_mutex_unlock (&self->lock);
  return s;
}

/* A signal payload (not taken) to @to, dropped unless joined. Any thread. */
static void
send_signal (GstWebRTCRoomSessions * self, const gchar * to, JsonObject * data)
{
  GstWebRTCRoomSignaller *signaller = NULL;

  g_mutex_lock (&self->lock);
  if (self->signaller)
    signaller = g_object_ref (self->signaller);
  g_mutex_unlock (&self->lock);
  if (!signaller)
    return;
  gst_webrtc_room_signaller_send (signaller, to, data);
  g_object_unref (signaller);
}

/* The room as the host of its peer sessions (host_data): media.c finds
 * the bin through gst_webrtc_room_sessions_get_bin () */

static void
post_missing_webrtcbin (GstWebRTCRoomSessions * self)
{
  gst_element_post_message (GST_ELEMENT (self->bin),
      gst_missing_element_message_new (GST_ELEMENT (self->bin), "webrtcbin"));
  GST_ELEMENT_ERROR (self->bin, CORE, MISSING_PLUGIN,
      ("The webrtcbin element is missing: install gst-plugins-bad"), (NULL));
}

static gboolean
host_attach (gpointer host_data, GSource * source)
{
  GstWebRTCRoomSessions *self = host_data;

  return gst_webrtc_room_base_bin_attach (self->bin, source);
}

static GstWebRTCRoomPeerSession *
host_lookup (gpointer host_data, const gchar * peer_id)
{
  return lookup_session (host_data, peer_id);
}

static void
host_send_signal (gpointer host_data, const gchar * peer_id,
    JsonObject * payload)
{
  send_signal (host_data, peer_id, payload);
}

static void
host_post_message (gpointer host_data, GstStructure * fields)
{
  GstWebRTCRoomSessions *self = host_data;

  gst_element_post_message (GST_ELEMENT (self->bin),
      gst_message_new_element (GST_OBJECT (self->bin), fields));
}

static void
host_state_changed (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  GstWebRTCRoomSessions *self = host_data;

  gst_webrtc_room_base_bin_session_state_changed (self->bin, s);
}

static void
host_error (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GError * error, const gchar * debug)
{
  GstWebRTCRoomSessions *self = host_data;

  if (g_error_matches (error, GST_WEBRTC_ROOM_PEER_ERROR,
          GST_WEBRTC_ROOM_PEER_ERROR_NEGOTIATION))
    gst_webrtc_room_base_bin_session_error (self->bin, s, error->message,
        debug);
  else
    gst_webrtc_room_base_bin_session_fail (self->bin, s, error);
}

static void
host_data_received (gpointer host_data, const gchar * peer_id,
    const gchar * text)
{
  GstWebRTCRoomSessions *self = host_data;

  gst_webrtc_room_base_bin_data_received (self->bin, peer_id, text);
}

static void
host_src_pad_added (gpointer host_data, GstWebRTCRoomPeerSession * s,
    GstPad * pad)
{
  gst_webrtc_room_media_on_src_pad (s, pad);
}

/* A streaming thread of the old connection may be blocked downstream (a
 * sink prerolling while the pipeline is paused) with the stream lock that
 * stopping the old webrtcbin needs: the src pads are flushed unless the
 * pipeline plays. */
static gpointer
host_replace_begin (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  GstWebRTCRoomSessions *self = host_data;
  GPtrArray *pads = gst_webrtc_room_media_take_src_pads (s);

  /* as close() does for the pads it removes */
  gst_webrtc_room_media_flush_start (self->bin, pads);
  return pads;
}

static void
host_replace_end (gpointer host_data, GstWebRTCRoomPeerSession * s,
    gpointer token, gboolean ok)
{
  GstWebRTCRoomSessions *self = host_data;
  GPtrArray *pads = token;
  guint i;

  /* the old decoders are gone: the pads wait, still linked downstream (a
   * gst-launch pipeline links a pad once), for the new connection's
   * tracks */
  for (i = 0; i < pads->len; i++) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (pads->pdata[i]), NULL);
    gst_webrtc_room_media_flush_stop (pads->pdata[i]);
  }
  if (!ok) {
    for (i = 0; i < pads->len; i++) {
      gst_pad_set_active (pads->pdata[i], FALSE);
      gst_element_remove_pad (GST_ELEMENT (self->bin), pads->pdata[i]);
    }
    g_ptr_array_unref (pads);
    post_missing_webrtcbin (self);
    return;
  }
  PEER_MEDIA (s)->kept_pads = pads;
}

static void
host_ice_config (gpointer host_data, GstWebRTCRoomIceConfig * config)
{
  ice_config_init (host_data, config);
}

static gboolean
host_inputs_ready (gpointer host_data)
{
  GstWebRTCRoomSessions *self = host_data;
  g_autoptr (GPtrArray) inputs =
      gst_webrtc_room_base_bin_dup_inputs (self->bin);
  guint i;

  for (i = 0; i < inputs->len; i++) {
    if (!gst_webrtc_room_send_path_is_ready (inputs->pdata[i]))
      return FALSE;
  }
  return TRUE;
}

static gboolean
host_attach_send (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer, guint * n_added, GError ** error)
{
  return gst_webrtc_room_media_attach_send (s, offer, n_added, error);
}

static GStrv
host_new_track_kinds (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  GstWebRTCRoomSessions *self = host_data;
  g_autoptr (GPtrArray) inputs =
      gst_webrtc_room_base_bin_dup_inputs (self->bin);
  GPtrArray *kinds = g_ptr_array_new ();
  guint i;

  for (i = 0; i < inputs->len; i++) {
    GstWebRTCRoomSendPath *input = inputs->pdata[i];
    if (!g_hash_table_contains (PEER_MEDIA (s)->branches, input))
      g_ptr_array_add (kinds,
          g_strdup (gst_webrtc_room_send_path_get_media (input)));
  }
  g_ptr_array_add (kinds, NULL);
  return (GStrv) g_ptr_array_free (kinds, FALSE);
}

static void
host_add_receive (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const gchar * kind)
{
  if (kind)
    gst_webrtc_room_media_add_receive_transceiver (s, kind);
  else
    gst_webrtc_room_media_add_receive_transceivers (s);
}

static void
host_configure_answer (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer)
{
  gst_webrtc_room_media_configure_answer_transceivers (s, offer);
}

static void
host_detach_send (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  gst_webrtc_room_media_detach_send (s);
}

static void
host_detach_recv (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  gst_webrtc_room_media_detach_recv (s);
}

static const GstWebRTCRoomPeerHost bin_host = {
  .attach = host_attach,
  .lookup = host_lookup,
  .send_signal = host_send_signal,
  .post_message = host_post_message,
  .state_changed = host_state_changed,
  .error = host_error,
  .data_received = host_data_received,
  .src_pad_added = host_src_pad_added,
  .replace_begin = host_replace_begin,
  .replace_end = host_replace_end,
  .ice_config = host_ice_config,
  .inputs_ready = host_inputs_ready,
  .attach_send = host_attach_send,
  .new_track_kinds = host_new_track_kinds,
  .add_receive = host_add_receive,
  .configure_answer = host_configure_answer,
  .detach_send = host_detach_send,
  .detach_recv = host_detach_recv,
};

static GstWebRTCRoomPeerSession *
create_session (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  GstWebRTCRoomPeerConfig config = { 0, };
  GstWebRTCRoomPeerSession *s;
  const gchar *name;

  if (refuse_beyond_max_peers (self, peer_id))
    return NULL;
  ice_config_init (self, &config.ice);
  g_mutex_lock (&self->lock);
  name = g_hash_table_lookup (self->peer_names, peer_id);
  g_mutex_unlock (&self->lock);

  config.container = GST_BIN (self->bin);
  config.own_id = self->own_id;
  config.mode = gst_webrtc_room_base_bin_get_mode (self->bin);
  remote_role (self, peer_id, &config.remote_role);
  config.media = gst_webrtc_room_peer_media_new ();
  config.media_free = (GDestroyNotify) gst_webrtc_room_peer_media_free;
  s = gst_webrtc_room_peer_session_new (&bin_host, self, &config, peer_id,
      name);
  gst_webrtc_room_ice_config_clear (&config.ice);
  if (!s) {
    post_missing_webrtcbin (self);
    return NULL;
  }
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->sessions, g_strdup (peer_id), s);
  g_mutex_unlock (&self->lock);
  return s;
}

/* A peer connection's streaming threads (a dozen per peer) free what they
 * used when they stop, but glibc's malloc keeps those pages: after 20
 * peers, 12-20 MB stayed resident with nobody left to use them
 * (tests/bench/README.md, Element churn). Once the last peer is gone, give
 * the free pages back. */
static void
release_freed_memory (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}

static void
destroy_session (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  GstWebRTCRoomPeerSession *s = NULL;
  gchar *key = NULL;
  guint left;

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->sessions, peer_id,
          (gpointer *) & key, (gpointer *) & s)) {
    g_free (key);
  }
  left = g_hash_table_size (self->sessions);
  g_mutex_unlock (&self->lock);
  if (!s)
    return;
  gst_webrtc_room_peer_session_close (s);
  gst_webrtc_room_peer_session_free (s);
  if (left == 0)
    release_freed_memory ();
}

static gboolean own_offers (GstWebRTCRoomSessions * self);
static gboolean watchdog_tick (gpointer user_data);

/* The media watchdog found @s dead: replace its webrtcbin and, if we make
 * offers, offer again with the protocol's `restart` extension key so the
 * peer replaces its side too (webrtcbin 1.22 has no ICE restart). */
static void
restart_session (GstWebRTCRoomSessions * self,
    GstWebRTCRoomPeerSession * s, const gchar * reason, gint64 silent_ms)
{
  g_autofree gchar *peer_id =
      g_strdup (gst_webrtc_room_peer_session_get_peer_id (s));
  guint attempt = gst_webrtc_room_peer_session_get_restarts (s) + 1;

  GST_WARNING_OBJECT (self->bin, "peer %s: %s (%" G_GINT64_FORMAT " ms without "
      "media), replacing the peer connection (attempt %u)", peer_id, reason,
      silent_ms, attempt);
  if (g_str_equal (reason, "media-timeout"))
    gst_webrtc_room_base_bin_post_peer_message (self->bin,
        "webrtcroom-peer-media-timeout", peer_id, "silent-ms", G_TYPE_INT64,
        silent_ms, NULL);
  gst_webrtc_room_base_bin_post_peer_message (self->bin,
      "webrtcroom-peer-reconnecting", peer_id, "reason", G_TYPE_STRING,
      reason, "attempt", G_TYPE_UINT, attempt, NULL);
  if (!gst_webrtc_room_peer_session_replace_connection (s))
    return;
  gst_webrtc_room_peer_session_set_restarts (s, attempt);
  /* a WHIP/WHEP session of the room server learns from our offer that its
   * client is gone, whoever makes offers */
  if (own_offers (self)
      || gst_webrtc_room_peer_session_get_remote_role (s)->gateway_for[0]) {
    gst_webrtc_room_peer_session_negotiate_restart (s);
  }
}

static void
destroy_all_sessions (GstWebRTCRoomSessions * self)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  guint i;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  g_mutex_unlock (&self->lock);
  for (i = 0; i < ids->len; i++)
    destroy_session (self, ids->pdata[i]);
}

static gboolean
own_offers (GstWebRTCRoomSessions * self)
{
  return self->settings.offers;
}

static void
remember_peer (GstWebRTCRoomSessions * self, const GstWebRTCRoomPeerInfo * p)
{
  GstWebRTCRoomPeerRole *role = g_new0 (GstWebRTCRoomPeerRole, 1);

  gst_webrtc_room_peer_role_from_meta (role, p->meta);
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->peer_names, g_strdup (p->id),
      g_strdup (p->name ? p->name : ""));
  g_hash_table_insert (self->peer_roles, g_strdup (p->id), role);
  g_mutex_unlock (&self->lock);
  gst_webrtc_room_base_bin_emit_peer_joined (self->bin, p->id, p->name);
  gst_webrtc_room_base_bin_post_peer_message (self->bin,
      "webrtcroom-peer-joined", p->id, "name", G_TYPE_STRING, p->name, NULL);
}

static void
warn_no_offerer (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  GST_ELEMENT_WARNING (self->bin, RESOURCE, SETTINGS,
      ("Peer %s and this element both joined with offers=false: they will "
          "never connect", peer_id), (NULL));
}

static void reconcile_after_resume (GstWebRTCRoomSessions * self,
    GstWebRTCRoomMessage * msg);
static void confirm_peer (GstWebRTCRoomSessions * self, const gchar * peer_id);

static void
on_welcome (GstWebRTCRoomSignaller * signaller, GstWebRTCRoomMessage * msg,
    gboolean resumed, GstWebRTCRoomSessions * self)
{
  gboolean offers = own_offers (self);
  guint i;

  GST_INFO_OBJECT (self->bin, "joined room %s as %s (%u peers, resumed %d)",
      msg->room, msg->peer, msg->peers ? msg->peers->len : 0, resumed);
  g_free (self->own_id);
  self->own_id = g_strdup (msg->peer);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->ice_servers, json_array_unref);
  if (msg->ice_servers)
    self->ice_servers = json_array_ref (msg->ice_servers);
  g_mutex_unlock (&self->lock);
  gst_webrtc_room_base_bin_set_peer_id (self->bin, msg->peer);

  if (resumed) {
    /* same id: the peer connections never depended on the socket */
    gst_webrtc_room_base_bin_post_peer_message (self->bin, "webrtcroom-resumed",
        msg->peer, NULL);
    reconcile_after_resume (self, msg);
    return;
  }
  destroy_all_sessions (self);
  forget_refused (self, NULL);
  g_clear_pointer (&self->unlisted, g_hash_table_unref);
  gst_webrtc_room_base_bin_post_peer_message (self->bin, "webrtcroom-joined",
      msg->peer, "room", G_TYPE_STRING, msg->room, NULL);

  for (i = 0; msg->peers && i < msg->peers->len; i++) {
    GstWebRTCRoomPeerInfo *p = msg->peers->pdata[i];
    GstWebRTCRoomPeerSession *s;

    remember_peer (self, p);
    if (!wants_connection (self, p->id))
      continue;
    /* seed steps 4-8: the newcomer offers */
    if (!offers) {
      if (!p->offers)
        warn_no_offerer (self, p->id);
      continue;
    }
    s = create_session (self, p->id);
    if (s)
      gst_webrtc_room_peer_session_negotiate (s);
  }
}

static void
on_peer_joined (GstWebRTCRoomSignaller * signaller,
    GstWebRTCRoomPeerInfo * peer, GstWebRTCRoomSessions * self)
{
  GstWebRTCRoomPeerSession *s;

  confirm_peer (self, peer->id);
  /* a resuming peer we already talk to keeps its session (protocol.md) */
  if (lookup_session (self, peer->id))
    return;
  remember_peer (self, peer);
  if (!wants_connection (self, peer->id))
    return;
  if (peer->offers) {
    /* the newcomer will offer: its peer connection is made now, not on
     * the path from its offer to our answer */
    create_session (self, peer->id);
    return;
  }
  if (!own_offers (self)) {
    warn_no_offerer (self, peer->id);
    return;
  }
  /* the seed's closing note: the server side offers */
  s = create_session (self, peer->id);
  if (s)
    gst_webrtc_room_peer_session_negotiate (s);
}

static void
on_peer_left (GstWebRTCRoomSignaller * signaller, const gchar * peer_id,
    const gchar * reason, GstWebRTCRoomSessions * self)
{
  GST_INFO_OBJECT (self->bin, "peer %s left (%s)", peer_id, reason);
  confirm_peer (self, peer_id);
  destroy_session (self, peer_id);
  forget_refused (self, peer_id);
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->peer_names, peer_id);
  g_hash_table_remove (self->peer_roles, peer_id);
  g_mutex_unlock (&self->lock);
  gst_webrtc_room_base_bin_emit_peer_left (self->bin, peer_id, reason);
  gst_webrtc_room_base_bin_post_peer_message (self->bin, "webrtcroom-peer-left",
      peer_id, "reason", G_TYPE_STRING, reason, NULL);
}

/* the room server's default resume grace (protocol.md) */
#define UNLISTED_GRACE_S 30

/* A timer of the room's (in unlisted_checks until it is destroyed) */
typedef struct
{
  GstWebRTCRoomSessions *room;
  gchar *peer_id;
  GSource *source;
} UnlistedCheck;

static void
unlisted_check_free (UnlistedCheck * c)
{
  c->room->unlisted_checks = g_list_remove (c->room->unlisted_checks, c);
  g_free (c->peer_id);
  g_free (c);
}

/* @peer_id showed up (joined, signalled, left): not a missed departure */
static void
confirm_peer (GstWebRTCRoomSessions * self, const gchar * peer_id)
{
  if (self->unlisted)
    g_hash_table_remove (self->unlisted, peer_id);
}

static gboolean
unlisted_check (gpointer data)
{
  UnlistedCheck *c = data;
  GstWebRTCRoomSessions *self = c->room;

  if (self->unlisted && g_hash_table_remove (self->unlisted, c->peer_id)) {
    GST_INFO_OBJECT (self->bin,
        "peer %s was not listed when we resumed and has "
        "not shown up since: it left while we were lost", c->peer_id);
    on_peer_left (NULL, c->peer_id, "timeout", self);
  }
  return G_SOURCE_REMOVE;
}

/* While our connection was lost, the server told us nothing (protocol.md,
 * resume): a peer that left meanwhile never got a peer-left to us, and its
 * session, webrtcbin and threads stayed for good (elements-churn on a
 * loaded machine: 11 webrtcbins and 51 threads left after every viewer had
 * gone). A resumed welcome lists who is there, but a restarted server
 * lists only who came back before us (the others come back as peer-joined,
 * keeping their sessions): a known peer it does not list and that does
 * not show up within the server's resume grace has left. The unknown ones
 * it lists have joined. */
static void
reconcile_after_resume (GstWebRTCRoomSessions * self,
    GstWebRTCRoomMessage * msg)
{
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) unlisted_now = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer id;
  guint i;

  for (i = 0; msg->peers && i < msg->peers->len; i++) {
    GstWebRTCRoomPeerInfo *p = msg->peers->pdata[i];
    g_hash_table_add (listed, p->id);
  }
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->peer_names);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (listed, id))
      g_ptr_array_add (unlisted_now, g_strdup (id));
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (listed, id)
        && !g_hash_table_contains (self->peer_names, id))
      g_ptr_array_add (unlisted_now, g_strdup (id));
  g_mutex_unlock (&self->lock);

  if (!self->unlisted && unlisted_now->len)
    self->unlisted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  for (i = 0; i < unlisted_now->len; i++) {
    UnlistedCheck *c = g_new0 (UnlistedCheck, 1);
    GSource *source = g_timeout_source_new_seconds (UNLISTED_GRACE_S);

    g_hash_table_add (self->unlisted, g_strdup (unlisted_now->pdata[i]));
    c->room = self;
    c->peer_id = g_strdup (unlisted_now->pdata[i]);
    c->source = source;
    /* listed first: a source not attached frees @c at its unref */
    self->unlisted_checks = g_list_prepend (self->unlisted_checks, c);
    g_source_set_callback (source, unlisted_check, c,
        (GDestroyNotify) unlisted_check_free);
    gst_webrtc_room_base_bin_attach (self->bin, source);
    g_source_unref (source);
  }
  for (i = 0; msg->peers && i < msg->peers->len; i++) {
    GstWebRTCRoomPeerInfo *p = msg->peers->pdata[i];
    gboolean known;

    confirm_peer (self, p->id);
    g_mutex_lock (&self->lock);
    known = g_hash_table_contains (self->peer_names, p->id);
    g_mutex_unlock (&self->lock);
    if (!known)
      on_peer_joined (NULL, p, self);
  }
}

/* Signal payloads come from any room member: checked by the codec before
 * anything is made for them (issue 11: a description of type 5 crashed
 * the pipeline). A bad one is that peer's problem only. */
static void
on_signal (GstWebRTCRoomSignaller * signaller, const gchar * from,
    JsonObject * data, GstWebRTCRoomSessions * self)
{
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomPeerSession *s;

  payload = gst_webrtc_room_signal_payload_parse (data, &error);
  if (!payload) {
    GST_WARNING_OBJECT (self->bin,
        "peer %s sent a bad signal payload, ignored: " "%s", from,
        error->message);
    gst_webrtc_room_base_bin_post_peer_message (self->bin,
        "webrtcroom-peer-bad-signal", from, "reason", G_TYPE_STRING,
        error->message, NULL);
    return;
  }
  confirm_peer (self, from);
  if (payload->type == GST_WEBRTC_ROOM_PAYLOAD_OTHER
      || payload->type == GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES)
    return;
  s = lookup_session (self, from);
  if (!s)
    s = create_session (self, from);
  if (s)
    gst_webrtc_room_peer_session_handle_payload (s, payload);
}

/* An endpoint's ICE servers (WHIP/WHEP Link headers), for its connection;
 * a stun-server or turn-servers the user set wins over them */
static void
on_ice_servers (GstWebRTCRoomSignaller * signaller, const gchar * peer_id,
    JsonArray * servers, GstWebRTCRoomSessions * self)
{
  GstWebRTCRoomPeerSession *s = lookup_session (self, peer_id);
  g_autoptr (GPtrArray) turns = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *stun = NULL;
  gboolean user_stun = self->settings.stun_server
      && *self->settings.stun_server;
  gboolean user_turns = self->settings.turn_servers
      && *self->settings.turn_servers;

  if (!s)
    return;
  ice_servers_from_welcome (servers, &stun, turns);
  if (user_turns)
    g_ptr_array_set_size (turns, 0);
  g_ptr_array_add (turns, NULL);
  gst_webrtc_room_peer_session_add_ice_servers (s, user_stun ? NULL : stun,
      (GStrv) turns->pdata);
}

static void
on_error (GstWebRTCRoomSignaller * signaller, GError * error, gboolean fatal,
    GstWebRTCRoomSessions * self)
{
  const gchar *url = self->settings.server_url;
  const gchar *room = self->settings.room;

  if (!fatal) {
    GST_WARNING_OBJECT (self->bin, "room server: %s", error->message);
    return;
  }
  if (error->domain == GST_WEBRTC_ROOM_ERROR) {
    switch (error->code) {
      case GST_WEBRTC_ROOM_ERROR_ROOM_FULL:
        GST_ELEMENT_ERROR (self->bin, RESOURCE, BUSY,
            ("Room '%s' is full", room), ("%s", error->message));
        return;
      case GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED:
        GST_ELEMENT_ERROR (self->bin, RESOURCE, NOT_AUTHORIZED,
            ("The room server refused to let us join room '%s': check the "
                "token", room), ("%s", error->message));
        return;
      default:
        GST_ELEMENT_ERROR (self->bin, RESOURCE, SETTINGS,
            ("The room server rejected joining room '%s': %s", room,
                error->message), (NULL));
        return;
    }
  }
  GST_ELEMENT_ERROR (self->bin, RESOURCE, OPEN_READ_WRITE,
      ("Could not connect to the room server at %s", url),
      ("%s", error->message));
}

static void
on_connection_lost (GstWebRTCRoomSignaller * signaller, GError * error,
    GstWebRTCRoomSessions * self)
{
  GST_WARNING_OBJECT (self->bin, "lost the room server (%s), resuming",
      error->message);
  gst_element_post_message (GST_ELEMENT (self->bin),
      gst_message_new_element (GST_OBJECT (self->bin),
          gst_structure_new ("webrtcroom-signalling-lost", "reason",
              G_TYPE_STRING, error->message, NULL)));
}


/* Our role in the join meta (docs/protocol.md "Roles"); keys the
 * application set in #GstWebRTCRoomBaseBin:meta win. */
static void
announce_role (GstWebRTCRoomSessions * self, JsonObject * meta)
{
  GstWebRTCRoomPeerRole own;

  gst_webrtc_room_base_bin_get_own_role (self->bin, &own);
  if (!json_object_has_member (meta, "sends")) {
    JsonArray *kinds = json_array_new ();
    if (own.sends_video)
      json_array_add_string_element (kinds, "video");
    if (own.sends_audio)
      json_array_add_string_element (kinds, "audio");
    json_object_set_array_member (meta, "sends", kinds);
  }
  if (!json_object_has_member (meta, "receives"))
    json_object_set_boolean_member (meta, "receives", own.receives);
  if (own.data && !json_object_has_member (meta, "data"))
    json_object_set_boolean_member (meta, "data", TRUE);
}

/* Joins the room with a copy of @settings. */
void
gst_webrtc_room_sessions_start (GstWebRTCRoomSessions * self,
    const GstWebRTCRoomSettings * settings)
{
  GstWebRTCRoomSettings *set = &self->settings;
  g_autoptr (GstWebRTCRoomJoinParams) params = NULL;
  g_autoptr (JsonObject) meta = NULL;
  GstWebRTCRoomSignaller *signaller;

  gst_webrtc_room_settings_clear (set);
  gst_webrtc_room_settings_copy (set, settings);
  if (set->signaller) {
    signaller = g_object_ref (set->signaller);
  } else {
    signaller = gst_webrtc_room_signaller_new_for_url (set->server_url,
        gst_webrtc_room_base_bin_get_mode (self->bin));
    /* only the WebSocket signaller has them (Janus and WHIP: not yet) */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (signaller),
            "ca-file"))
      g_object_set (signaller, "ca-file", set->ca_file, "tls-insecure",
          set->tls_insecure, NULL);
  }
  if (set->meta) {
    g_autoptr (JsonNode) node = json_from_string (set->meta, NULL);
    if (node && JSON_NODE_HOLDS_OBJECT (node))
      meta = json_object_ref (json_node_get_object (node));
  }
  if (!meta)
    meta = json_object_new ();
  announce_role (self, meta);
  params = gst_webrtc_room_join_params_new (set->room, set->display_name,
      meta, set->offers, set->token);

  g_signal_connect (signaller, "welcome", G_CALLBACK (on_welcome), self);
  g_signal_connect (signaller, "peer-joined", G_CALLBACK (on_peer_joined),
      self);
  g_signal_connect (signaller, "peer-left", G_CALLBACK (on_peer_left), self);
  g_signal_connect (signaller, "signal", G_CALLBACK (on_signal), self);
  g_signal_connect (signaller, "ice-servers", G_CALLBACK (on_ice_servers),
      self);
  g_signal_connect (signaller, "error", G_CALLBACK (on_error), self);
  g_signal_connect (signaller, "connection-lost",
      G_CALLBACK (on_connection_lost), self);
  g_mutex_lock (&self->lock);
  self->signaller = g_object_ref (signaller);
  g_mutex_unlock (&self->lock);
  self->watchdog = g_timeout_source_new (WATCHDOG_TICK_MS);
  g_source_set_callback (self->watchdog, watchdog_tick, self, NULL);
  gst_webrtc_room_base_bin_attach (self->bin, self->watchdog);
  gst_webrtc_room_signaller_start (signaller, params);
  g_object_unref (signaller);
}

void
gst_webrtc_room_sessions_stop (GstWebRTCRoomSessions * self)
{
  GstWebRTCRoomSignaller *signaller;

  g_mutex_lock (&self->lock);
  signaller = self->signaller ? g_object_ref (self->signaller) : NULL;
  g_mutex_unlock (&self->lock);
  if (signaller) {
    gst_webrtc_room_signaller_stop (signaller);
    g_signal_handlers_disconnect_by_data (signaller, self);
    /* the next join (after a pause) uses a fresh default signaller */
    g_mutex_lock (&self->lock);
    g_clear_object (&self->signaller);
    g_mutex_unlock (&self->lock);
    g_object_unref (signaller);
  }
  if (self->watchdog) {
    g_source_destroy (self->watchdog);
    g_clear_pointer (&self->watchdog, g_source_unref);
  }
  destroy_all_sessions (self);
  forget_refused (self, NULL);
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->peer_names);
  g_hash_table_remove_all (self->peer_roles);
  g_mutex_unlock (&self->lock);
}

/* Any thread: whether the room was joined and not left since */
gboolean
gst_webrtc_room_sessions_is_joined (GstWebRTCRoomSessions * self)
{
  gboolean joined;

  g_mutex_lock (&self->lock);
  joined = self->signaller != NULL;
  g_mutex_unlock (&self->lock);
  return joined;
}

/* The current sessions; only the signalling thread frees them, so the
 * pointers stay valid there after the lock is dropped. */
static GPtrArray *
snapshot_sessions (GstWebRTCRoomSessions * self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_mutex_unlock (&self->lock);
  return list;
}

static gboolean
watchdog_tick (gpointer user_data)
{
  GstWebRTCRoomSessions *self = user_data;
  g_autoptr (GPtrArray) list = snapshot_sessions (self);
  guint timeout_ms = self->settings.media_timeout, i;

  for (i = 0; i < list->len; i++) {
    GstWebRTCRoomPeerSession *s = list->pdata[i];
    gint64 silent_ms;
    const gchar *reason =
        gst_webrtc_room_peer_session_check_media (s, timeout_ms, &silent_ms);

    if (reason)
      restart_session (self, s, reason, silent_ms);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
recheck_waits_idle (gpointer data)
{
  g_autoptr (GPtrArray) list = snapshot_sessions (data);
  guint i;

  for (i = 0; i < list->len; i++)
    gst_webrtc_room_peer_session_recheck (list->pdata[i]);
  return G_SOURCE_REMOVE;
}

void
gst_webrtc_room_sessions_recheck_waits (GstWebRTCRoomSessions * self)
{
  gst_webrtc_room_base_bin_invoke (self->bin, recheck_waits_idle, self, NULL);
}

void
gst_webrtc_room_sessions_renegotiate_all (GstWebRTCRoomSessions * self)
{
  g_autoptr (GPtrArray) list = snapshot_sessions (self);
  guint i;

  for (i = 0; i < list->len; i++) {
    GstWebRTCRoomPeerSession *s = list->pdata[i];

    /* made at peer-joined, waiting for the newcomer's first offer: our
     * answer carries the new track (offering now would only collide) */
    if (gst_webrtc_room_peer_session_awaits_first_offer (s))
      continue;
    gst_webrtc_room_peer_session_negotiate (s);
  }
}

void
gst_webrtc_room_sessions_detach_input (GstWebRTCRoomSessions * self,
    GstWebRTCRoomSendPath * input)
{
  g_autoptr (GPtrArray) list = snapshot_sessions (self);
  guint i;

  for (i = 0; i < list->len; i++) {
    GstWebRTCRoomPeerSession *s = list->pdata[i];
    if (gst_webrtc_room_media_detach_input (s, input)) {
      /* no new branch: without this the offer is skipped as empty */
      gst_webrtc_room_peer_session_negotiate_forced (s);
    }
  }
}

GPtrArray *
gst_webrtc_room_sessions_dup_peer_ids (GstWebRTCRoomSessions * self,
    const gchar * peer_id)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (!peer_id || g_str_equal (peer_id, key))
      g_ptr_array_add (ids, g_strdup (key));
  }
  g_mutex_unlock (&self->lock);
  return ids;
}

GstElement *
gst_webrtc_room_sessions_dup_webrtcbin (GstWebRTCRoomSessions * self,
    const gchar * peer_id)
{
  GstWebRTCRoomPeerSession *s;
  GstElement *webrtcbin = NULL;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->sessions, peer_id);
  /* none when a replacement could not be made */
  if (s && gst_webrtc_room_peer_session_get_webrtcbin (s))
    webrtcbin = gst_object_ref (gst_webrtc_room_peer_session_get_webrtcbin (s));
  g_mutex_unlock (&self->lock);
  return webrtcbin;
}

GPtrArray *
gst_webrtc_room_sessions_dup_channels (GstWebRTCRoomSessions * self,
    const gchar * peer_id)
{
  GPtrArray *channels = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GstWebRTCDataChannel *channel = NULL;

    if (!peer_id || g_str_equal (peer_id, key))
      channel = gst_webrtc_room_peer_session_dup_channel (value);
    if (channel)
      g_ptr_array_add (channels, channel);
  }
  g_mutex_unlock (&self->lock);
  return channels;
}

GstWebRTCRoomBaseBin *
gst_webrtc_room_sessions_get_bin (GstWebRTCRoomSessions * self)
{
  return self->bin;
}

GstWebRTCRoomSessions *
gst_webrtc_room_sessions_new (GstWebRTCRoomBaseBin * bin)
{
  GstWebRTCRoomSessions *self = g_new0 (GstWebRTCRoomSessions, 1);

  self->bin = bin;
  gst_webrtc_room_settings_init (&self->settings);
  g_mutex_init (&self->lock);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) gst_webrtc_room_peer_session_free);
  self->peer_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->peer_roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  return self;
}

/* The bin's signalling thread has stopped (or never ran) */
void
gst_webrtc_room_sessions_free (GstWebRTCRoomSessions * self)
{
  g_autoptr (GList) checks = g_list_copy (self->unlisted_checks);
  GList *l;

  /* a context someone else still holds would keep these timers, and one
   * firing later would find the room gone; each one's destroy notify
   * takes it off the list */
  for (l = checks; l; l = l->next)
    g_source_destroy (((UnlistedCheck *) l->data)->source);
  if (self->watchdog) {
    g_source_destroy (self->watchdog);
    g_source_unref (self->watchdog);
  }
  g_clear_object (&self->signaller);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->peer_names);
  g_hash_table_unref (self->peer_roles);
  g_clear_pointer (&self->refused, g_hash_table_unref);
  g_clear_pointer (&self->unlisted, g_hash_table_unref);
  g_clear_pointer (&self->ice_servers, json_array_unref);
  gst_webrtc_room_settings_clear (&self->settings);
  g_free (self->own_id);
  g_mutex_clear (&self->lock);
  g_free (self);
}
