/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "protocol.h"
#include "protocol-private.h"

#include <string.h>

/* Signal payloads (protocol.md "Signal payloads" + extension keys). Every
 * field comes from another room member: checked for type and size. */

static const gchar *const sdp_types[] = {
  [GST_WEBRTC_ROOM_SDP_OFFER] = "offer",
  [GST_WEBRTC_ROOM_SDP_ANSWER] = "answer",
};

const gchar *
gst_webrtc_room_sdp_type_to_string (GstWebRTCRoomSdpType type)
{
  if ((guint) type >= G_N_ELEMENTS (sdp_types))
    return NULL;
  return sdp_types[type];
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new (GstWebRTCRoomPayloadType type)
{
  GstWebRTCRoomSignalPayload *payload = g_new0 (GstWebRTCRoomSignalPayload, 1);

  payload->type = type;
  payload->sdp_mline_index = -1;
  return payload;
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new_description (GstWebRTCRoomSdpType sdp_type,
    const gchar * sdp, gboolean restart)
{
  GstWebRTCRoomSignalPayload *payload =
      gst_webrtc_room_signal_payload_new (GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION);

  payload->sdp_type = sdp_type;
  payload->sdp = g_strdup (sdp);
  payload->restart = restart;
  return payload;
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_new_candidate (const gchar * candidate,
    const gchar * sdp_mid, gint sdp_mline_index)
{
  GstWebRTCRoomSignalPayload *payload =
      gst_webrtc_room_signal_payload_new (GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE);

  payload->candidate = g_strdup (candidate);
  payload->sdp_mid = g_strdup (sdp_mid);
  payload->sdp_mline_index = sdp_mline_index;
  return payload;
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_copy (const GstWebRTCRoomSignalPayload * payload)
{
  GstWebRTCRoomSignalPayload *copy;

  if (!payload)
    return NULL;
  copy = g_memdup2 (payload, sizeof (*payload));
  copy->sdp = g_strdup (payload->sdp);
  copy->candidate = g_strdup (payload->candidate);
  copy->sdp_mid = g_strdup (payload->sdp_mid);
  copy->media = g_strdupv (payload->media);
  return copy;
}

void
gst_webrtc_room_signal_payload_free (GstWebRTCRoomSignalPayload * payload)
{
  if (!payload)
    return;
  g_free (payload->sdp);
  g_free (payload->candidate);
  g_free (payload->sdp_mid);
  g_strfreev (payload->media);
  g_free (payload);
}

/* Line-based SDP must not get lines from a candidate or mid (webrtcbin
 * writes remote candidates into the remote description) */
static gboolean
has_control_chars (const gchar * text)
{
  for (; *text; text++) {
    if ((guchar) * text < 0x20 || *text == 0x7f)
      return TRUE;
  }
  return FALSE;
}

/* json-glib turns a lone surrogate escape ("\ud800") into bytes that are
 * not UTF-8 (found by the fuzzer): such text would reach webrtcbin and be
 * refused by libsoup when sent on */
static gboolean
read_payload_string (JsonObject * obj, const gchar * field, gboolean optional,
    gchar ** out, GError ** error)
{
  if (!gst_webrtc_room_json_read_string (obj, field, optional, out, error))
    return FALSE;
  if (*out && !g_utf8_validate (*out, -1, NULL))
    return gst_webrtc_room_json_bad_message (error,
        "field '%s' is not valid UTF-8", field);
  return TRUE;
}

/* Counts m-lines the way gst_sdp_message_parse_buffer() finds them: a line
 * starts after any run of ASCII white space (so a lone '\r' or a leading
 * blank also starts one) and ends at the next '\n'. */
static guint
count_mlines (const gchar * sdp)
{
  const gchar *p = sdp;
  guint n = 0;

  while (TRUE) {
    while (g_ascii_isspace (*p))
      p++;
    if (*p == '\0')
      break;
    if (p[0] == 'm' && p[1] == '=')
      n++;
    p = strchr (p + 1, '\n');
    if (!p)
      break;
    p++;
  }
  return n;
}

static gboolean
parse_description (JsonNode * node, GstWebRTCRoomSignalPayload * payload,
    GError ** error)
{
  JsonObject *description;
  g_autofree gchar *type = NULL;
  gsize size;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return gst_webrtc_room_json_bad_message (error,
        "field 'description' must be an object");
  description = json_node_get_object (node);
  if (!gst_webrtc_room_json_read_string (description, "type", FALSE, &type,
          error)
      || !read_payload_string (description, "sdp", FALSE, &payload->sdp, error))
    return FALSE;
  if (g_str_equal (type, "offer"))
    payload->sdp_type = GST_WEBRTC_ROOM_SDP_OFFER;
  else if (g_str_equal (type, "answer"))
    payload->sdp_type = GST_WEBRTC_ROOM_SDP_ANSWER;
  else
    return gst_webrtc_room_json_bad_message (error,
        "description type must be 'offer' or " "'answer'");
  size = strlen (payload->sdp);
  if (size == 0)
    return gst_webrtc_room_json_bad_message (error,
        "description has an empty sdp");
  if (size > GST_WEBRTC_ROOM_MAX_SDP_BYTES)
    return gst_webrtc_room_json_bad_message (error,
        "sdp of %" G_GSIZE_FORMAT " bytes is above " "the limit of %u", size,
        GST_WEBRTC_ROOM_MAX_SDP_BYTES);
  if (count_mlines (payload->sdp) > GST_WEBRTC_ROOM_MAX_MLINES)
    return gst_webrtc_room_json_bad_message (error,
        "sdp has %u m-lines, above the limit of %u",
        count_mlines (payload->sdp), GST_WEBRTC_ROOM_MAX_MLINES);
  return TRUE;
}

static gboolean
parse_candidate (JsonNode * node, GstWebRTCRoomSignalPayload * payload,
    GError ** error)
{
  JsonObject *cand;
  JsonNode *index;

  if (JSON_NODE_HOLDS_NULL (node)) {
    payload->type = GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return gst_webrtc_room_json_bad_message (error,
        "field 'candidate' must be an object or null");
  cand = json_node_get_object (node);
  if (!read_payload_string (cand, "candidate", FALSE, &payload->candidate,
          error)
      || !read_payload_string (cand, "sdpMid", TRUE, &payload->sdp_mid, error))
    return FALSE;
  if (strlen (payload->candidate) > GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES)
    return gst_webrtc_room_json_bad_message (error, "candidate above %u bytes",
        GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES);
  if (has_control_chars (payload->candidate))
    return gst_webrtc_room_json_bad_message (error,
        "candidate contains control characters");
  if (payload->sdp_mid
      && (strlen (payload->sdp_mid) > GST_WEBRTC_ROOM_MAX_MID_BYTES
          || has_control_chars (payload->sdp_mid)))
    return gst_webrtc_room_json_bad_message (error,
        "sdpMid above %u bytes or with control " "characters",
        GST_WEBRTC_ROOM_MAX_MID_BYTES);
  index = json_object_get_member (cand, "sdpMLineIndex");
  if (index && !JSON_NODE_HOLDS_NULL (index)) {
    gint64 value;

    if (!JSON_NODE_HOLDS_VALUE (index)
        || json_node_get_value_type (index) != G_TYPE_INT64)
      return gst_webrtc_room_json_bad_message (error,
          "field 'sdpMLineIndex' must be an integer");
    value = json_node_get_int (index);
    if (value < 0 || value >= GST_WEBRTC_ROOM_MAX_MLINES)
      return gst_webrtc_room_json_bad_message (error,
          "sdpMLineIndex %" G_GINT64_FORMAT " out of range", value);
    payload->sdp_mline_index = (gint) value;
  }
  if (!*payload->candidate) {
    /* browsers end candidates with an empty candidate string */
    payload->type = GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES;
    g_clear_pointer (&payload->candidate, g_free);
    g_clear_pointer (&payload->sdp_mid, g_free);
    payload->sdp_mline_index = -1;
    return TRUE;
  }
  if (!payload->sdp_mid && payload->sdp_mline_index < 0)
    return gst_webrtc_room_json_bad_message (error,
        "candidate has neither sdpMid nor " "sdpMLineIndex");
  return TRUE;
}

static gboolean
parse_media_kinds (JsonObject * data, GstWebRTCRoomSignalPayload * payload,
    GError ** error)
{
  JsonNode *node = json_object_get_member (data, "media");
  g_autoptr (GPtrArray) kinds = NULL;
  JsonArray *array;
  guint i, n;

  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return gst_webrtc_room_json_bad_message (error,
        "field 'media' must be an array");
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > GST_WEBRTC_ROOM_MAX_MLINES)
    return gst_webrtc_room_json_bad_message (error,
        "field 'media' has %u entries, above %u", n,
        GST_WEBRTC_ROOM_MAX_MLINES);
  kinds = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < n; i++) {
    JsonNode *kind = json_array_get_element (array, i);
    const gchar *name;

    if (!JSON_NODE_HOLDS_VALUE (kind)
        || json_node_get_value_type (kind) != G_TYPE_STRING)
      return gst_webrtc_room_json_bad_message (error,
          "entries of 'media' must be strings");
    name = json_node_get_string (kind);
    /* kinds we do not know are left out (a newer peer) */
    if (g_str_equal (name, "audio") || g_str_equal (name, "video"))
      g_ptr_array_add (kinds, g_strdup (name));
  }
  g_ptr_array_add (kinds, NULL);
  payload->media = (GStrv) g_ptr_array_free (g_steal_pointer (&kinds), FALSE);
  return TRUE;
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_parse (JsonObject * data, GError ** error)
{
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  JsonNode *node;
  gboolean flag = FALSE;

  g_return_val_if_fail (data != NULL, NULL);

  payload = gst_webrtc_room_signal_payload_new (GST_WEBRTC_ROOM_PAYLOAD_OTHER);
  /* one payload per signal; checked in this order, as receivers always
   * did: description, renegotiate, candidate */
  if ((node = json_object_get_member (data, "description"))) {
    payload->type = GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION;
    if (!parse_description (node, payload, error)
        || !gst_webrtc_room_json_read_bool (data, "restart", &payload->restart,
            error))
      return NULL;
    return g_steal_pointer (&payload);
  }
  if (!gst_webrtc_room_json_read_bool (data, "renegotiate", &flag, error))
    return NULL;
  if (flag) {
    payload->type = GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE;
    if (!parse_media_kinds (data, payload, error))
      return NULL;
    return g_steal_pointer (&payload);
  }
  if ((node = json_object_get_member (data, "candidate"))) {
    payload->type = GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE;
    if (!parse_candidate (node, payload, error))
      return NULL;
  }
  return g_steal_pointer (&payload);
}

GstWebRTCRoomSignalPayload *
gst_webrtc_room_signal_payload_parse_text (const gchar * text, gssize len,
    GError ** error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (text);
  root = gst_webrtc_room_json_parse_strict (text, len, error);
  if (!root)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "not a JSON object");
    return NULL;
  }
  return gst_webrtc_room_signal_payload_parse (json_node_get_object (root),
      error);
}

JsonObject *
gst_webrtc_room_signal_payload_to_json (const GstWebRTCRoomSignalPayload *
    payload)
{
  JsonObject *data = json_object_new ();

  switch (payload->type) {
    case GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION:{
      JsonObject *description = json_object_new ();

      json_object_set_string_member (description, "type",
          gst_webrtc_room_sdp_type_to_string (payload->sdp_type));
      json_object_set_string_member (description, "sdp",
          payload->sdp ? payload->sdp : "");
      json_object_set_object_member (data, "description", description);
      if (payload->restart)
        json_object_set_boolean_member (data, "restart", TRUE);
      break;
    }
    case GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE:{
      JsonObject *cand = json_object_new ();

      json_object_set_string_member (cand, "candidate",
          payload->candidate ? payload->candidate : "");
      if (payload->sdp_mid)
        json_object_set_string_member (cand, "sdpMid", payload->sdp_mid);
      if (payload->sdp_mline_index >= 0)
        json_object_set_int_member (cand, "sdpMLineIndex",
            payload->sdp_mline_index);
      json_object_set_object_member (data, "candidate", cand);
      break;
    }
    case GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES:
      json_object_set_null_member (data, "candidate");
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE:{
      JsonArray *kinds = json_array_new ();
      guint i;

      for (i = 0; payload->media && payload->media[i]; i++)
        json_array_add_string_element (kinds, payload->media[i]);
      json_object_set_boolean_member (data, "renegotiate", TRUE);
      json_object_set_array_member (data, "media", kinds);
      break;
    }
    case GST_WEBRTC_ROOM_PAYLOAD_OTHER:
      break;
  }
  return data;
}
