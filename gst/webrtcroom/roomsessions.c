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
 * with ICE servers from the element properties or the welcome. */

#include "roombin-private.h"

#define PEER_MEDIA(s) \
    ((GstWebRTCRoomPeerMedia *) gst_webrtc_room_peer_session_get_media (s))
#include "websocketsignaller.h"
#include "signallerselect-private.h"

#include <gst/pbutils/pbutils.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Peers a resumed welcome did not list, not seen since (a set of ids, on
 * the context thread only): see reconcile_after_resume () */
#define UNLISTED_KEY "webrtcroom-unlisted-peers"

/* how often the media watchdog looks at every peer connection */
#define WATCHDOG_TICK_MS 250

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
ice_config_init (GstWebRTCRoomBaseBin * self, GstWebRTCRoomIceConfig * config)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GPtrArray) turns = g_ptr_array_new ();
  g_auto (GStrv) user_turns = NULL;
  guint i;

  GST_OBJECT_LOCK (self);
  config->stun_server = g_strdup (priv->stun_server);
  user_turns = split_list (priv->turn_servers);
  config->ice_transport_policy = priv->policy;
  config->local_addresses = split_list (priv->local_addresses);
  config->upnp = priv->upnp;
  config->ice_tcp = priv->ice_tcp;
  config->latency = priv->latency;
  config->nack = priv->nack;
  config->fec = priv->fec;
  GST_OBJECT_UNLOCK (self);
  /* webrtcroomsrc has no fec property: a receiver always offers and accepts
   * ULPFEC/RED, which costs nothing unless a sender with fec=true uses it */
  if (gst_webrtc_room_base_bin_get_mode (self) ==
      GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    config->fec = TRUE;

  for (i = 0; user_turns[i]; i++)
    g_ptr_array_add (turns, g_strdup (user_turns[i]));
  g_mutex_lock (&priv->lock);
  if (!config->stun_server || user_turns[0] == NULL) {
    gchar *stun = NULL;
    g_autoptr (GPtrArray) welcome_turns = g_ptr_array_new ();
    ice_servers_from_welcome (priv->ice_servers, &stun, welcome_turns);
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
  g_mutex_unlock (&priv->lock);
  for (i = 0; i < turns->len && !priv->warned_turns; i++) {
    /* libnice (0.1.21) opens a plain TCP connection for a TLS relay in
     * RFC 5245 mode: the URI works with TURN servers that take TURN over
     * TCP on that port (coturn's TLS listener does), never with TLS-only
     * ones, and nothing is encrypted to the server */
    const gchar *url = turns->pdata[i];
    const gchar *at;

    if (!g_str_has_prefix (url, "turns://"))
      continue;
    at = strrchr (url, '@');
    priv->warned_turns = TRUE;
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
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
remote_role (GstWebRTCRoomBaseBin * self, const gchar * peer_id,
    GstWebRTCRoomPeerRole * role)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomPeerRole *known;

  g_mutex_lock (&priv->lock);
  known = g_hash_table_lookup (priv->peer_roles, peer_id);
  if (known) {
    *role = *known;
  } else {
    GstWebRTCRoomPeerRole fallback = GST_WEBRTC_ROOM_PEER_ROLE_DEFAULT;
    *role = fallback;
  }
  g_mutex_unlock (&priv->lock);
}

/* Whether we open a peer connection to @peer_id at all. */
static gboolean
wants_connection (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GstWebRTCRoomPeerRole own, other;

  gst_webrtc_room_base_bin_get_own_role (self, &own);
  remote_role (self, peer_id, &other);
  if (other.gateway_for[0]) {
    g_autofree gchar *own_id = NULL;

    GST_OBJECT_LOCK (self);
    own_id = g_strdup (PRIV (self)->peer_id);
    GST_OBJECT_UNLOCK (self);
    /* the room server's WHIP/WHEP session for another member (its
     * offer comes to that member only) */
    if (g_strcmp0 (own_id, other.gateway_for)) {
      GST_INFO_OBJECT (self, "peer %s is a WHIP/WHEP session for %s: no "
          "peer connection", peer_id, other.gateway_for);
      return FALSE;
    }
  }
  if (gst_webrtc_room_peer_roles_connect (&own, &other))
    return TRUE;
  GST_INFO_OBJECT (self, "no media between us and peer %s (it sends%s%s, "
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
refuse_beyond_max_peers (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  guint max_peers, n_sessions;
  gboolean first;

  GST_OBJECT_LOCK (self);
  max_peers = priv->max_peers;
  GST_OBJECT_UNLOCK (self);
  g_mutex_lock (&priv->lock);
  n_sessions = g_hash_table_size (priv->sessions);
  if (n_sessions < max_peers) {
    g_mutex_unlock (&priv->lock);
    return FALSE;
  }
  if (!priv->refused)
    priv->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
  first = !g_hash_table_contains (priv->refused, peer_id);
  if (first)
    g_hash_table_add (priv->refused, g_strdup (peer_id));
  g_mutex_unlock (&priv->lock);
  if (!first)
    return TRUE;
  GST_WARNING_OBJECT (self, "refusing peer %s: already %u peer connections "
      "(max-peers)", peer_id, n_sessions);
  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-refused",
      peer_id, "reason", G_TYPE_STRING, "max-peers", "max-peers",
      G_TYPE_UINT, max_peers, NULL);
  GST_ELEMENT_WARNING (self, RESOURCE, BUSY,
      ("Refused peer %s: this element already has %u peer connections "
          "(max-peers)", peer_id, max_peers), (NULL));
  return TRUE;
}

static void
forget_refused (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  g_mutex_lock (&priv->lock);
  if (priv->refused) {
    if (peer_id)
      g_hash_table_remove (priv->refused, peer_id);
    else
      g_clear_pointer (&priv->refused, g_hash_table_unref);
  }
  g_mutex_unlock (&priv->lock);
}

/* The bin as the host of its peer sessions */

static void
post_missing_webrtcbin (GstWebRTCRoomBaseBin * self)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_missing_element_message_new (GST_ELEMENT (self), "webrtcbin"));
  GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
      ("The webrtcbin element is missing: install gst-plugins-bad"), (NULL));
}

static gboolean
host_attach (gpointer host_data, GSource * source)
{
  return gst_webrtc_room_base_bin_attach (host_data, source);
}

static GstWebRTCRoomPeerSession *
host_lookup (gpointer host_data, const gchar * peer_id)
{
  return gst_webrtc_room_base_bin_lookup_session (host_data, peer_id);
}

static void
host_send_signal (gpointer host_data, const gchar * peer_id,
    JsonObject * payload)
{
  gst_webrtc_room_base_bin_send_signal (host_data, peer_id, payload);
}

static void
host_post_message (gpointer host_data, GstStructure * fields)
{
  gst_element_post_message (GST_ELEMENT (host_data),
      gst_message_new_element (GST_OBJECT (host_data), fields));
}

static void
host_state_changed (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  gst_webrtc_room_base_bin_session_state_changed (host_data, s);
}

static void
host_error (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GError * error, const gchar * debug)
{
  if (g_error_matches (error, GST_WEBRTC_ROOM_PEER_ERROR,
          GST_WEBRTC_ROOM_PEER_ERROR_NEGOTIATION))
    gst_webrtc_room_base_bin_session_error (host_data, s, error->message,
        debug);
  else
    gst_webrtc_room_base_bin_session_fail (host_data, s, error);
}

static void
host_data_received (gpointer host_data, const gchar * peer_id,
    const gchar * text)
{
  gst_webrtc_room_base_bin_data_received (host_data, peer_id, text);
}

static void
host_src_pad_added (gpointer host_data, GstWebRTCRoomPeerSession * s,
    GstPad * pad)
{
  gst_webrtc_room_media_on_src_pad (s, pad);
}

/* A streaming thread of the old connection may be blocked downstream (a
 * sink prerolling while the pipeline is paused) with the stream lock that
 * stopping the old webrtcbin needs: the src pads are flushed. */
static gpointer
host_replace_begin (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  GPtrArray *pads = gst_webrtc_room_media_take_src_pads (s);

  /* as close() does for the pads it removes */
  gst_webrtc_room_media_flush_start (pads);
  return pads;
}

static void
host_replace_end (gpointer host_data, GstWebRTCRoomPeerSession * s,
    gpointer token, gboolean ok)
{
  GstWebRTCRoomBaseBin *self = host_data;
  GPtrArray *pads = token;
  guint i;

  /* the old decoders are gone: the pads wait, still linked downstream (a
   * gst-launch pipeline links a pad once), for the new connection's
   * tracks */
  for (i = 0; i < pads->len; i++) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (pads->pdata[i]), NULL);
    gst_pad_push_event (pads->pdata[i], gst_event_new_flush_stop (FALSE));
  }
  if (!ok) {
    for (i = 0; i < pads->len; i++) {
      gst_pad_set_active (pads->pdata[i], FALSE);
      gst_element_remove_pad (GST_ELEMENT (self), pads->pdata[i]);
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
  g_autoptr (GPtrArray) inputs = gst_webrtc_room_base_bin_dup_inputs
      (host_data);
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
  g_autoptr (GPtrArray) inputs = gst_webrtc_room_base_bin_dup_inputs
      (host_data);
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
create_session (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomPeerConfig config = { 0, };
  GstWebRTCRoomPeerSession *s;
  g_autofree gchar *own_id = NULL;
  const gchar *name;

  if (refuse_beyond_max_peers (self, peer_id))
    return NULL;
  ice_config_init (self, &config.ice);
  GST_OBJECT_LOCK (self);
  own_id = g_strdup (priv->peer_id);
  GST_OBJECT_UNLOCK (self);
  g_mutex_lock (&priv->lock);
  name = g_hash_table_lookup (priv->peer_names, peer_id);
  g_mutex_unlock (&priv->lock);

  config.container = GST_BIN (self);
  config.own_id = own_id;
  config.mode = gst_webrtc_room_base_bin_get_mode (self);
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
  g_mutex_lock (&priv->lock);
  g_hash_table_insert (priv->sessions, g_strdup (peer_id), s);
  g_mutex_unlock (&priv->lock);
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
destroy_session (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomPeerSession *s = NULL;
  gchar *key = NULL;
  guint left;

  g_mutex_lock (&priv->lock);
  if (g_hash_table_steal_extended (priv->sessions, peer_id,
          (gpointer *) & key, (gpointer *) & s)) {
    g_free (key);
  }
  left = g_hash_table_size (priv->sessions);
  g_mutex_unlock (&priv->lock);
  if (!s)
    return;
  gst_webrtc_room_peer_session_close (s);
  gst_webrtc_room_peer_session_free (s);
  if (left == 0)
    release_freed_memory ();
}

static gboolean own_offers (GstWebRTCRoomBaseBin * self);
static gboolean watchdog_tick (gpointer user_data);

/* The media watchdog found @s dead: replace its webrtcbin and, if we make
 * offers, offer again with the protocol's `restart` extension key so the
 * peer replaces its side too (webrtcbin 1.22 has no ICE restart). */
void
gst_webrtc_room_base_bin_restart_session (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * reason, gint64 silent_ms)
{
  g_autofree gchar *peer_id =
      g_strdup (gst_webrtc_room_peer_session_get_peer_id (s));
  guint attempt = gst_webrtc_room_peer_session_get_restarts (s) + 1;

  GST_WARNING_OBJECT (self, "peer %s: %s (%" G_GINT64_FORMAT " ms without "
      "media), replacing the peer connection (attempt %u)", peer_id, reason,
      silent_ms, attempt);
  if (g_str_equal (reason, "media-timeout"))
    gst_webrtc_room_base_bin_post_peer_message (self,
        "webrtcroom-peer-media-timeout", peer_id, "silent-ms", G_TYPE_INT64,
        silent_ms, NULL);
  gst_webrtc_room_base_bin_post_peer_message (self,
      "webrtcroom-peer-reconnecting", peer_id, "reason", G_TYPE_STRING,
      reason, "attempt", G_TYPE_UINT, attempt, NULL);
  if (!gst_webrtc_room_peer_session_replace_connection (s))
    return;
  gst_webrtc_room_peer_session_set_restarts (s, attempt);
  if (own_offers (self)) {
    gst_webrtc_room_peer_session_negotiate_restart (s);
  }
}

static void
destroy_all_sessions (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  guint i;

  g_mutex_lock (&priv->lock);
  g_hash_table_iter_init (&iter, priv->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  g_mutex_unlock (&priv->lock);
  for (i = 0; i < ids->len; i++)
    destroy_session (self, ids->pdata[i]);
}

static gboolean
own_offers (GstWebRTCRoomBaseBin * self)
{
  gboolean offers;

  GST_OBJECT_LOCK (self);
  offers = PRIV (self)->offers;
  GST_OBJECT_UNLOCK (self);
  return offers;
}

static void
remember_peer (GstWebRTCRoomBaseBin * self, const GstWebRTCRoomPeerInfo * p)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomPeerRole *role = g_new0 (GstWebRTCRoomPeerRole, 1);

  gst_webrtc_room_peer_role_from_meta (role, p->meta);
  g_mutex_lock (&priv->lock);
  g_hash_table_insert (priv->peer_names, g_strdup (p->id),
      g_strdup (p->name ? p->name : ""));
  g_hash_table_insert (priv->peer_roles, g_strdup (p->id), role);
  g_mutex_unlock (&priv->lock);
  gst_webrtc_room_base_bin_emit_peer_joined (self, p->id, p->name);
  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-joined",
      p->id, "name", G_TYPE_STRING, p->name, NULL);
}

static void
warn_no_offerer (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
      ("Peer %s and this element both joined with offers=false: they will "
          "never connect", peer_id), (NULL));
}

static void reconcile_after_resume (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomMessage * msg);
static void confirm_peer (GstWebRTCRoomBaseBin * self, const gchar * peer_id);

static void
on_welcome (GstWebRTCRoomSignaller * signaller, GstWebRTCRoomMessage * msg,
    gboolean resumed, GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gboolean offers = own_offers (self);
  guint i;

  GST_INFO_OBJECT (self, "joined room %s as %s (%u peers, resumed %d)",
      msg->room, msg->peer, msg->peers ? msg->peers->len : 0, resumed);
  GST_OBJECT_LOCK (self);
  g_free (priv->peer_id);
  priv->peer_id = g_strdup (msg->peer);
  GST_OBJECT_UNLOCK (self);
  g_mutex_lock (&priv->lock);
  g_clear_pointer (&priv->ice_servers, json_array_unref);
  if (msg->ice_servers)
    priv->ice_servers = json_array_ref (msg->ice_servers);
  g_mutex_unlock (&priv->lock);
  gst_webrtc_room_base_bin_notify_peer_id (self);

  if (resumed) {
    /* same id: the peer connections never depended on the socket */
    gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-resumed",
        msg->peer, NULL);
    reconcile_after_resume (self, msg);
    return;
  }
  destroy_all_sessions (self);
  forget_refused (self, NULL);
  g_object_set_data (G_OBJECT (self), UNLISTED_KEY, NULL);
  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-joined",
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
    GstWebRTCRoomPeerInfo * peer, GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomPeerSession *s;

  confirm_peer (self, peer->id);
  /* a resuming peer we already talk to keeps its session (protocol.md) */
  if (gst_webrtc_room_base_bin_lookup_session (self, peer->id))
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
    const gchar * reason, GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  GST_INFO_OBJECT (self, "peer %s left (%s)", peer_id, reason);
  confirm_peer (self, peer_id);
  destroy_session (self, peer_id);
  forget_refused (self, peer_id);
  g_mutex_lock (&priv->lock);
  g_hash_table_remove (priv->peer_names, peer_id);
  g_hash_table_remove (priv->peer_roles, peer_id);
  g_mutex_unlock (&priv->lock);
  gst_webrtc_room_base_bin_emit_peer_left (self, peer_id, reason);
  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-left",
      peer_id, "reason", G_TYPE_STRING, reason, NULL);
}

/* the room server's default resume grace (protocol.md) */
#define UNLISTED_GRACE_S 30

typedef struct
{
  GWeakRef self;
  gchar *peer_id;
} UnlistedCheck;

static void
unlisted_check_free (UnlistedCheck * c)
{
  g_weak_ref_clear (&c->self);
  g_free (c->peer_id);
  g_free (c);
}

/* @peer_id showed up (joined, signalled, left): not a missed departure */
static void
confirm_peer (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  GHashTable *unlisted = g_object_get_data (G_OBJECT (self), UNLISTED_KEY);

  if (unlisted)
    g_hash_table_remove (unlisted, peer_id);
}

static gboolean
unlisted_check (gpointer data)
{
  UnlistedCheck *c = data;
  GstWebRTCRoomBaseBin *self = g_weak_ref_get (&c->self);
  GHashTable *unlisted;

  if (!self)
    return G_SOURCE_REMOVE;
  unlisted = g_object_get_data (G_OBJECT (self), UNLISTED_KEY);
  if (unlisted && g_hash_table_remove (unlisted, c->peer_id)) {
    GST_INFO_OBJECT (self, "peer %s was not listed when we resumed and has "
        "not shown up since: it left while we were lost", c->peer_id);
    on_peer_left (NULL, c->peer_id, "timeout", self);
  }
  gst_object_unref (self);
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
reconcile_after_resume (GstWebRTCRoomBaseBin * self, GstWebRTCRoomMessage * msg)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) unlisted_now = g_ptr_array_new_with_free_func (g_free);
  GHashTable *unlisted;
  GHashTableIter iter;
  gpointer id;
  guint i;

  for (i = 0; msg->peers && i < msg->peers->len; i++) {
    GstWebRTCRoomPeerInfo *p = msg->peers->pdata[i];
    g_hash_table_add (listed, p->id);
  }
  g_mutex_lock (&priv->lock);
  g_hash_table_iter_init (&iter, priv->peer_names);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (listed, id))
      g_ptr_array_add (unlisted_now, g_strdup (id));
  g_hash_table_iter_init (&iter, priv->sessions);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (listed, id)
        && !g_hash_table_contains (priv->peer_names, id))
      g_ptr_array_add (unlisted_now, g_strdup (id));
  g_mutex_unlock (&priv->lock);

  unlisted = g_object_get_data (G_OBJECT (self), UNLISTED_KEY);
  if (!unlisted && unlisted_now->len) {
    unlisted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_object_set_data_full (G_OBJECT (self), UNLISTED_KEY, unlisted,
        (GDestroyNotify) g_hash_table_unref);
  }
  for (i = 0; i < unlisted_now->len; i++) {
    UnlistedCheck *c = g_new0 (UnlistedCheck, 1);
    GSource *source = g_timeout_source_new_seconds (UNLISTED_GRACE_S);

    g_hash_table_add (unlisted, g_strdup (unlisted_now->pdata[i]));
    g_weak_ref_init (&c->self, self);
    c->peer_id = g_strdup (unlisted_now->pdata[i]);
    g_source_set_callback (source, unlisted_check, c,
        (GDestroyNotify) unlisted_check_free);
    gst_webrtc_room_base_bin_attach (self, source);
    g_source_unref (source);
  }
  for (i = 0; msg->peers && i < msg->peers->len; i++) {
    GstWebRTCRoomPeerInfo *p = msg->peers->pdata[i];
    gboolean known;

    confirm_peer (self, p->id);
    g_mutex_lock (&priv->lock);
    known = g_hash_table_contains (priv->peer_names, p->id);
    g_mutex_unlock (&priv->lock);
    if (!known)
      on_peer_joined (NULL, p, self);
  }
}

/* Signal payloads come from any room member: checked by the codec before
 * anything is made for them (issue 11: a description of type 5 crashed
 * the pipeline). A bad one is that peer's problem only. */
static void
on_signal (GstWebRTCRoomSignaller * signaller, const gchar * from,
    JsonObject * data, GstWebRTCRoomBaseBin * self)
{
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomPeerSession *s;

  payload = gst_webrtc_room_signal_payload_parse (data, &error);
  if (!payload) {
    GST_WARNING_OBJECT (self, "peer %s sent a bad signal payload, ignored: "
        "%s", from, error->message);
    gst_webrtc_room_base_bin_post_peer_message (self,
        "webrtcroom-peer-bad-signal", from, "reason", G_TYPE_STRING,
        error->message, NULL);
    return;
  }
  confirm_peer (self, from);
  if (payload->type == GST_WEBRTC_ROOM_PAYLOAD_OTHER
      || payload->type == GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES)
    return;
  s = gst_webrtc_room_base_bin_lookup_session (self, from);
  if (!s)
    s = create_session (self, from);
  if (s)
    gst_webrtc_room_peer_session_handle_payload (s, payload);
}

static void
on_error (GstWebRTCRoomSignaller * signaller, GError * error, gboolean fatal,
    GstWebRTCRoomBaseBin * self)
{
  g_autofree gchar *url = NULL;
  g_autofree gchar *room = NULL;

  GST_OBJECT_LOCK (self);
  url = g_strdup (PRIV (self)->server_url);
  room = g_strdup (PRIV (self)->room);
  GST_OBJECT_UNLOCK (self);

  if (!fatal) {
    GST_WARNING_OBJECT (self, "room server: %s", error->message);
    return;
  }
  if (error->domain == GST_WEBRTC_ROOM_ERROR) {
    switch (error->code) {
      case GST_WEBRTC_ROOM_ERROR_ROOM_FULL:
        GST_ELEMENT_ERROR (self, RESOURCE, BUSY,
            ("Room '%s' is full", room), ("%s", error->message));
        return;
      case GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED:
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED,
            ("The room server refused to let us join room '%s': check the "
                "token", room), ("%s", error->message));
        return;
      default:
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("The room server rejected joining room '%s': %s", room,
                error->message), (NULL));
        return;
    }
  }
  GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
      ("Could not connect to the room server at %s", url),
      ("%s", error->message));
}

static void
on_connection_lost (GstWebRTCRoomSignaller * signaller, GError * error,
    GstWebRTCRoomBaseBin * self)
{
  GST_WARNING_OBJECT (self, "lost the room server (%s), resuming",
      error->message);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("webrtcroom-signalling-lost", "reason",
              G_TYPE_STRING, error->message, NULL)));
}


/* Our role in the join meta (docs/protocol.md "Roles"); keys the
 * application set in #GstWebRTCRoomBaseBin:meta win. */
static void
announce_role (GstWebRTCRoomBaseBin * self, JsonObject * meta)
{
  GstWebRTCRoomPeerRole own;

  gst_webrtc_room_base_bin_get_own_role (self, &own);
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

void
gst_webrtc_room_base_bin_start_signalling (GstWebRTCRoomBaseBin * self,
    gpointer unused)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GstWebRTCRoomJoinParams) params = NULL;
  g_autoptr (JsonObject) meta = NULL;
  GstWebRTCRoomSignaller *signaller;

  GST_OBJECT_LOCK (self);
  if (!priv->signaller)
    priv->signaller = gst_webrtc_room_signaller_new_for_url (priv->server_url,
        gst_webrtc_room_base_bin_get_mode (self));
  else if (!priv->custom_signaller)
    g_object_set (priv->signaller, "server-url", priv->server_url, NULL);
  /* only the WebSocket signaller has them (Janus and WHIP: not yet) */
  if (!priv->custom_signaller
      && g_object_class_find_property (G_OBJECT_GET_CLASS (priv->signaller),
          "ca-file"))
    g_object_set (priv->signaller, "ca-file", priv->ca_file, "tls-insecure",
        priv->tls_insecure, NULL);
  signaller = g_object_ref (priv->signaller);
  if (priv->meta) {
    g_autoptr (JsonNode) node = json_from_string (priv->meta, NULL);
    if (node && JSON_NODE_HOLDS_OBJECT (node))
      meta = json_object_ref (json_node_get_object (node));
  }
  GST_OBJECT_UNLOCK (self);
  if (!meta)
    meta = json_object_new ();
  announce_role (self, meta);
  GST_OBJECT_LOCK (self);
  params = gst_webrtc_room_join_params_new (priv->room, priv->display_name,
      meta, priv->offers, priv->token);
  GST_OBJECT_UNLOCK (self);

  g_signal_connect (signaller, "welcome", G_CALLBACK (on_welcome), self);
  g_signal_connect (signaller, "peer-joined", G_CALLBACK (on_peer_joined),
      self);
  g_signal_connect (signaller, "peer-left", G_CALLBACK (on_peer_left), self);
  g_signal_connect (signaller, "signal", G_CALLBACK (on_signal), self);
  g_signal_connect (signaller, "error", G_CALLBACK (on_error), self);
  g_signal_connect (signaller, "connection-lost",
      G_CALLBACK (on_connection_lost), self);
  priv->joined = TRUE;
  priv->watchdog = g_timeout_source_new (WATCHDOG_TICK_MS);
  g_source_set_callback (priv->watchdog, watchdog_tick, self, NULL);
  g_source_attach (priv->watchdog, priv->context);
  gst_webrtc_room_signaller_start (signaller, params);
  g_object_unref (signaller);
}

void
gst_webrtc_room_base_bin_stop_signalling (GstWebRTCRoomBaseBin * self,
    gpointer unused)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  GstWebRTCRoomSignaller *old = NULL;

  if (priv->joined && priv->signaller) {
    gst_webrtc_room_signaller_stop (priv->signaller);
    g_signal_handlers_disconnect_by_data (priv->signaller, self);
  }
  priv->joined = FALSE;
  if (priv->watchdog) {
    g_source_destroy (priv->watchdog);
    g_clear_pointer (&priv->watchdog, g_source_unref);
  }
  /* the next join (after a pause) uses a fresh default signaller */
  GST_OBJECT_LOCK (self);
  if (!priv->custom_signaller)
    old = g_steal_pointer (&priv->signaller);
  GST_OBJECT_UNLOCK (self);
  g_clear_object (&old);
  destroy_all_sessions (self);
  forget_refused (self, NULL);
  g_mutex_lock (&priv->lock);
  g_hash_table_remove_all (priv->peer_names);
  g_hash_table_remove_all (priv->peer_roles);
  g_mutex_unlock (&priv->lock);
}

/* The current sessions; only the signalling thread frees them, so the
 * pointers stay valid there after the lock is dropped. */
static GPtrArray *
snapshot_sessions (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&priv->lock);
  g_hash_table_iter_init (&iter, priv->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_mutex_unlock (&priv->lock);
  return list;
}

static gboolean
watchdog_tick (gpointer user_data)
{
  GstWebRTCRoomBaseBin *self = user_data;
  g_autoptr (GPtrArray) list = snapshot_sessions (self);
  guint timeout_ms, i;

  GST_OBJECT_LOCK (self);
  timeout_ms = PRIV (self)->media_timeout;
  GST_OBJECT_UNLOCK (self);
  for (i = 0; i < list->len; i++) {
    GstWebRTCRoomPeerSession *s = list->pdata[i];
    gint64 silent_ms;
    const gchar *reason =
        gst_webrtc_room_peer_session_check_media (s, timeout_ms, &silent_ms);

    if (reason)
      gst_webrtc_room_base_bin_restart_session (self, s, reason, silent_ms);
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

/* Any thread: an input chain was built or caps reached a peer connection;
 * sessions waiting for that go on without waiting for their next poll. */
void
gst_webrtc_room_base_bin_recheck_waits (GstWebRTCRoomBaseBin * self)
{
  gst_webrtc_room_base_bin_invoke (self, recheck_waits_idle, self, NULL);
}

void
gst_webrtc_room_base_bin_renegotiate_all (GstWebRTCRoomBaseBin * self)
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
gst_webrtc_room_base_bin_detach_input (GstWebRTCRoomBaseBin * self,
    gpointer input)
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
