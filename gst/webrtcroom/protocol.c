/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room protocol v1 codec: the only place that knows wire names. */

#include "protocol.h"
#include "protocol-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (gst - webrtc - room - error - quark, gst_webrtc_room_error);

static const gchar *const error_codes[] = {
  [GST_WEBRTC_ROOM_ERROR_BAD_JSON] = "bad-json",
  [GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE] = "bad-message",
  [GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [GST_WEBRTC_ROOM_ERROR_NOT_JOINED] = "not-joined",
  [GST_WEBRTC_ROOM_ERROR_ALREADY_JOINED] = "already-joined",
  [GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER] = "unknown-peer",
  [GST_WEBRTC_ROOM_ERROR_ROOM_FULL] = "room-full",
  [GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED] = "unauthorized",
  [GST_WEBRTC_ROOM_ERROR_TOO_LARGE] = "too-large",
  [GST_WEBRTC_ROOM_ERROR_RATE_LIMITED] = "rate-limited",
  [GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT] = "join-timeout",
  [GST_WEBRTC_ROOM_ERROR_UNKNOWN] = "unknown",
};

static const gchar *const type_names[] = {
  [GST_WEBRTC_ROOM_MESSAGE_INVALID] = NULL,
  [GST_WEBRTC_ROOM_MESSAGE_JOIN] = "join",
  [GST_WEBRTC_ROOM_MESSAGE_LEAVE] = "leave",
  [GST_WEBRTC_ROOM_MESSAGE_PING] = "ping",
  [GST_WEBRTC_ROOM_MESSAGE_SIGNAL] = "signal",
  [GST_WEBRTC_ROOM_MESSAGE_BROADCAST] = "broadcast",
  [GST_WEBRTC_ROOM_MESSAGE_WELCOME] = "welcome",
  [GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED] = "peer-joined",
  [GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT] = "peer-left",
  [GST_WEBRTC_ROOM_MESSAGE_PONG] = "pong",
  [GST_WEBRTC_ROOM_MESSAGE_ERROR] = "error",
};

static const gchar *const left_reasons[] = {
  [GST_WEBRTC_ROOM_LEFT_LEFT] = "left",
  [GST_WEBRTC_ROOM_LEFT_TIMEOUT] = "timeout",
  [GST_WEBRTC_ROOM_LEFT_KICKED] = "kicked",
};

const gchar *
gst_webrtc_room_error_to_code (GstWebRTCRoomError error)
{
  if ((guint) error >= G_N_ELEMENTS (error_codes))
    return "unknown";
  return error_codes[error];
}

GstWebRTCRoomError
gst_webrtc_room_error_from_code (const gchar * code)
{
  guint i;

  for (i = 0; code && i < GST_WEBRTC_ROOM_ERROR_UNKNOWN; i++) {
    if (g_str_equal (code, error_codes[i]))
      return i;
  }
  return GST_WEBRTC_ROOM_ERROR_UNKNOWN;
}

const gchar *
gst_webrtc_room_message_type_to_string (GstWebRTCRoomMessageType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return NULL;
  return type_names[type];
}

const gchar *
gst_webrtc_room_peer_left_reason_to_string (GstWebRTCRoomPeerLeftReason reason)
{
  if ((guint) reason >= G_N_ELEMENTS (left_reasons))
    return "left";
  return left_reasons[reason];
}

/* Peer info */

GstWebRTCRoomPeerInfo *
gst_webrtc_room_peer_info_new (const gchar * id, const gchar * name,
    JsonObject * meta, gboolean offers)
{
  GstWebRTCRoomPeerInfo *info = g_new0 (GstWebRTCRoomPeerInfo, 1);

  info->id = g_strdup (id);
  info->name = g_strdup (name);
  info->meta = meta ? json_object_ref (meta) : NULL;
  info->offers = offers;
  return info;
}

GstWebRTCRoomPeerInfo *
gst_webrtc_room_peer_info_copy (const GstWebRTCRoomPeerInfo * info)
{
  return gst_webrtc_room_peer_info_new (info->id, info->name, info->meta,
      info->offers);
}

void
gst_webrtc_room_peer_info_free (GstWebRTCRoomPeerInfo * info)
{
  if (!info)
    return;
  g_free (info->id);
  g_free (info->name);
  g_clear_pointer (&info->meta, json_object_unref);
  g_free (info);
}

G_DEFINE_BOXED_TYPE (GstWebRTCRoomPeerInfo, gst_webrtc_room_peer_info,
    gst_webrtc_room_peer_info_copy, gst_webrtc_room_peer_info_free);

/* Message */

GstWebRTCRoomMessage *
gst_webrtc_room_message_new (GstWebRTCRoomMessageType type)
{
  GstWebRTCRoomMessage *msg = g_new0 (GstWebRTCRoomMessage, 1);

  msg->type = type;
  msg->offers = TRUE;
  msg->protocol = GST_WEBRTC_ROOM_PROTOCOL_VERSION;
  return msg;
}

void
gst_webrtc_room_message_free (GstWebRTCRoomMessage * msg)
{
  if (!msg)
    return;
  g_free (msg->room);
  g_free (msg->name);
  g_clear_pointer (&msg->meta, json_object_unref);
  g_free (msg->token);
  g_free (msg->resume);
  g_free (msg->to);
  g_free (msg->from);
  g_clear_pointer (&msg->data, json_object_unref);
  g_clear_pointer (&msg->id, json_node_unref);
  g_free (msg->peer);
  g_clear_pointer (&msg->peers, g_ptr_array_unref);
  g_clear_pointer (&msg->ice_servers, json_array_unref);
  g_clear_pointer (&msg->peer_info, gst_webrtc_room_peer_info_free);
  g_free (msg->code_string);
  g_free (msg->message);
  g_free (msg->ref);
  g_free (msg);
}

GstWebRTCRoomMessage *
gst_webrtc_room_message_copy (const GstWebRTCRoomMessage * msg)
{
  GstWebRTCRoomMessage *copy = g_new0 (GstWebRTCRoomMessage, 1);

  *copy = *msg;
  copy->room = g_strdup (msg->room);
  copy->name = g_strdup (msg->name);
  copy->meta = msg->meta ? json_object_ref (msg->meta) : NULL;
  copy->token = g_strdup (msg->token);
  copy->resume = g_strdup (msg->resume);
  copy->to = g_strdup (msg->to);
  copy->from = g_strdup (msg->from);
  copy->data = msg->data ? json_object_ref (msg->data) : NULL;
  copy->id = msg->id ? json_node_copy (msg->id) : NULL;
  copy->peer = g_strdup (msg->peer);
  if (msg->peers) {
    guint i;

    copy->peers = g_ptr_array_new_full (msg->peers->len,
        (GDestroyNotify) gst_webrtc_room_peer_info_free);
    for (i = 0; i < msg->peers->len; i++)
      g_ptr_array_add (copy->peers,
          gst_webrtc_room_peer_info_copy (msg->peers->pdata[i]));
  }
  copy->ice_servers = msg->ice_servers ? json_array_ref (msg->ice_servers) :
      NULL;
  copy->peer_info = msg->peer_info ?
      gst_webrtc_room_peer_info_copy (msg->peer_info) : NULL;
  copy->code_string = g_strdup (msg->code_string);
  copy->message = g_strdup (msg->message);
  copy->ref = g_strdup (msg->ref);
  return copy;
}

G_DEFINE_BOXED_TYPE (GstWebRTCRoomMessage, gst_webrtc_room_message,
    gst_webrtc_room_message_copy, gst_webrtc_room_message_free);

/* Our own JSON writer: json-glib 1.6's generator prints a double such as
 * 1e30 as `1e+30.0` and inf as `inf.0` (neither is JSON) and copies
 * invalid UTF-8 through. This one always writes valid UTF-8 JSON: a
 * non-finite double becomes null, invalid UTF-8 is replaced (U+FFFD),
 * nesting beyond WRITE_MAX_DEPTH becomes null. */

#define WRITE_MAX_DEPTH 64

static void
write_string (GString * out, const gchar * str)
{
  g_autofree gchar *valid = NULL;
  const gchar *p;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  g_string_append_c (out, '"');
  for (p = str; *p; p++) {
    guchar c = *p;

    switch (c) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (c < 0x20)
          g_string_append_printf (out, "\\u%04x", c);
        else
          g_string_append_c (out, c);
    }
  }
  g_string_append_c (out, '"');
}

static void
write_double (GString * out, gdouble d)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (d)) {
    g_string_append (out, "null");
    return;
  }
  g_ascii_dtostr (buf, sizeof (buf), d);
  g_string_append (out, buf);
  /* keep it a double when read back */
  if (!strpbrk (buf, ".eE"))
    g_string_append (out, ".0");
}

static void
write_node (GString * out, JsonNode * node, guint depth)
{
  if (!node || (depth >= WRITE_MAX_DEPTH
          && (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node)))) {
    g_string_append (out, "null");
    return;
  }
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObjectIter iter;
      const gchar *name;
      JsonNode *member;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member)) {
        if (!first)
          g_string_append_c (out, ',');
        first = FALSE;
        write_string (out, name);
        g_string_append_c (out, ':');
        write_node (out, member, depth + 1);
      }
      g_string_append_c (out, '}');
      break;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *array = json_node_get_array (node);
      guint i;

      g_string_append_c (out, '[');
      for (i = 0; i < json_array_get_length (array); i++) {
        if (i > 0)
          g_string_append_c (out, ',');
        write_node (out, json_array_get_element (array, i), depth + 1);
      }
      g_string_append_c (out, ']');
      break;
    }
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node)) {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT,
              json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          write_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" :
              "false");
          break;
        case G_TYPE_STRING:
          write_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
      }
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
  }
}

static gchar *
json_node_to_text (JsonNode * node)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, 0);
  return g_string_free (out, FALSE);
}

/* Validation */

gboolean
gst_webrtc_room_is_valid_room (const gchar * room)
{
  gsize len;
  const gchar *p;

  if (!room)
    return FALSE;
  len = strlen (room);
  if (len < 1 || len > GST_WEBRTC_ROOM_MAX_ROOM_LEN)
    return FALSE;
  for (p = room; *p; p++) {
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_webrtc_room_is_valid_name (const gchar * name)
{
  if (!name)
    return FALSE;
  return g_utf8_validate (name, -1, NULL)
      && g_utf8_strlen (name, -1) <= GST_WEBRTC_ROOM_MAX_NAME_CHARS;
}

/* Strict JSON pre-scan (RFC 8259), run before json-glib sees a frame.
 * json-glib 1.6 accepts what is not JSON (single quotes, `01`, `.5`, a
 * broken `\u12zz`), decodes a lone surrogate into invalid UTF-8, cuts a
 * string at `\u0000`, wraps integers beyond 64 bits, turns `1e999` into
 * inf (serialised as `inf.0`) and recurses once per nesting level (60k
 * nested arrays overflow the stack). The scan is iterative over the text
 * and recursive only up to GST_WEBRTC_ROOM_MAX_JSON_DEPTH. A syntax error
 * stops it; the first value error (lone surrogate, `\u0000`, a number out
 * of range) is remembered and the scan goes on, so the caller can still
 * read the message's type for the error's `ref`. */

typedef struct
{
  const guchar *p;
  const guchar *end;
  const gchar *syntax_error;
  const gchar *value_error;
  gboolean too_deep;
  /* json-glib 1.6 fails on a lone low surrogate and leaks on that path */
  gboolean lone_surrogate;
  /* the top-level "type" string when it has no escapes (for a ref) */
  const guchar *type;
  gsize type_len;
} JsonScan;

static gboolean
scan_fail (JsonScan * s, const gchar * what)
{
  if (!s->syntax_error)
    s->syntax_error = what;
  return FALSE;
}

static void
scan_value_error (JsonScan * s, const gchar * what)
{
  if (!s->value_error)
    s->value_error = what;
}

static void
scan_lone_surrogate (JsonScan * s)
{
  scan_value_error (s, "lone UTF-16 surrogate in a string");
  s->lone_surrogate = TRUE;
}

static void
scan_ws (JsonScan * s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n'
          || *s->p == '\r'))
    s->p++;
}

static gboolean
scan_hex4 (JsonScan * s, gunichar * out)
{
  gunichar v = 0;
  guint i;

  if (s->end - s->p < 4)
    return FALSE;
  for (i = 0; i < 4; i++) {
    gint d = g_ascii_xdigit_value (s->p[i]);

    if (d < 0)
      return FALSE;
    v = (v << 4) | d;
  }
  s->p += 4;
  *out = v;
  return TRUE;
}

/* at the opening quote; the text is already known to be valid UTF-8 */
static gboolean
scan_string (JsonScan * s)
{
  s->p++;
  while (s->p < s->end) {
    guchar c = *s->p++;
    gunichar u, low;

    if (c == '"')
      return TRUE;
    if (c < 0x20)
      return scan_fail (s, "control character in a string");
    if (c != '\\')
      continue;
    if (s->p >= s->end)
      break;
    c = *s->p++;
    if (strchr ("\"\\/bfnrt", c) && c != '\0')
      continue;
    if (c != 'u' || !scan_hex4 (s, &u))
      return scan_fail (s, "bad escape in a string");
    if (u == 0) {
      scan_value_error (s, "\\u0000 in a string");
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      scan_lone_surrogate (s);
    } else if (u >= 0xd800 && u <= 0xdbff) {
      if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u') {
        scan_lone_surrogate (s);
        continue;
      }
      s->p += 2;
      if (!scan_hex4 (s, &low))
        return scan_fail (s, "bad escape in a string");
      if (low < 0xdc00 || low > 0xdfff)
        scan_lone_surrogate (s);
    }
  }
  return scan_fail (s, "unterminated string");
}

static gboolean
scan_digits (JsonScan * s)
{
  const guchar *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

static gboolean
scan_number (JsonScan * s)
{
  const guchar *start = s->p;
  gboolean integer = TRUE;
  g_autofree gchar *text = NULL;

  if (*s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return scan_fail (s, "bad number");
  if (s->p < s->end && *s->p == '.') {
    s->p++;
    integer = FALSE;
    if (!scan_digits (s))
      return scan_fail (s, "bad number");
  }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    integer = FALSE;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
      s->p++;
    if (!scan_digits (s))
      return scan_fail (s, "bad number");
  }

  text = g_strndup ((const gchar *) start, s->p - start);
  if (integer) {
    /* beyond 2^53 a browser cannot hold it, and json-glib wraps it */
    if (s->p - start > 17 || ABS (g_ascii_strtoll (text, NULL, 10)) >
        GST_WEBRTC_ROOM_MAX_JSON_INT)
      scan_value_error (s, "integer out of range (+-2^53)");
  } else if (!isfinite (g_ascii_strtod (text, NULL))) {
    scan_value_error (s, "number out of range");
  }
  return TRUE;
}

static gboolean
scan_literal (JsonScan * s, const gchar * word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return scan_fail (s, "unexpected character");
  s->p += n;
  return TRUE;
}

static gboolean scan_value (JsonScan * s, guint depth);

static gboolean
scan_container (JsonScan * s, guint depth)
{
  gboolean object = *s->p == '{';
  guchar close = object ? '}' : ']';

  if (depth >= GST_WEBRTC_ROOM_MAX_JSON_DEPTH) {
    s->too_deep = TRUE;
    return scan_fail (s, "nested too deep");
  }
  s->p++;
  scan_ws (s);
  if (s->p < s->end && *s->p == close) {
    s->p++;
    return TRUE;
  }
  while (s->p < s->end) {
    const guchar *name = s->p, *value;
    gsize name_len = 0;

    if (object) {
      if (*s->p != '"' || !scan_string (s))
        return scan_fail (s, "expected a member name");
      name_len = s->p - name;
      scan_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return scan_fail (s, "expected ':'");
      s->p++;
      scan_ws (s);
    }
    value = s->p;
    if (!scan_value (s, depth + 1))
      return FALSE;
    if (depth == 0 && name_len == 6 && memcmp (name, "\"type\"", 6) == 0
        && *value == '"' && !memchr (value, '\\', s->p - value)) {
      s->type = value + 1;
      s->type_len = s->p - value - 2;
    }
    scan_ws (s);
    if (s->p < s->end && *s->p == close) {
      s->p++;
      return TRUE;
    }
    if (s->p >= s->end || *s->p != ',')
      break;
    s->p++;
    scan_ws (s);
  }
  return scan_fail (s, object ? "expected ',' or '}'" : "expected ',' or ']'");
}

static gboolean
scan_value (JsonScan * s, guint depth)
{
  if (s->p >= s->end)
    return scan_fail (s, "unexpected end");
  switch (*s->p) {
    case '{':
    case '[':
      return scan_container (s, depth);
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      return scan_fail (s, "unexpected character");
  }
}

/* TRUE when @text is one JSON value (syntax and depth); s->value_error
 * then tells whether its values are acceptable */
static gboolean
json_scan (JsonScan * s, const gchar * text, gsize len)
{
  memset (s, 0, sizeof (*s));
  s->p = (const guchar *) text;
  s->end = s->p + len;
  scan_ws (s);
  if (!scan_value (s, 0))
    return FALSE;
  scan_ws (s);
  if (s->p != s->end)
    return scan_fail (s, "trailing characters");
  return TRUE;
}

/* Parsing helpers: each reads one field, NULL/absent allowed where
 * @optional, and sets a bad-message error naming the field otherwise. */

gboolean
gst_webrtc_room_json_bad_message (GError ** error, const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, text);
  g_free (text);
  return FALSE;
}

gboolean
gst_webrtc_room_json_read_string (JsonObject * obj, const gchar * field,
    gboolean optional, gchar ** out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (!node || JSON_NODE_HOLDS_NULL (node)) {
    if (optional)
      return TRUE;
    return gst_webrtc_room_json_bad_message (error, "missing field '%s'",
        field);
  }
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return gst_webrtc_room_json_bad_message (error,
        "field '%s' must be a string", field);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

const gchar *
gst_webrtc_room_json_get_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
gst_webrtc_room_json_get_int (JsonObject * obj, const gchar * name,
    gint64 * out)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

JsonObject *
gst_webrtc_room_json_get_object (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ?
      json_node_get_object (node) : NULL;
}

JsonArray *
gst_webrtc_room_json_get_array (JsonObject * obj, const gchar * name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ?
      json_node_get_array (node) : NULL;
}

static gboolean
read_object (JsonObject * obj, const gchar * field, gboolean optional,
    JsonObject ** out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (!node || JSON_NODE_HOLDS_NULL (node)) {
    if (optional)
      return TRUE;
    return gst_webrtc_room_json_bad_message (error, "missing field '%s'",
        field);
  }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return gst_webrtc_room_json_bad_message (error,
        "field '%s' must be an object", field);
  *out = json_object_ref (json_node_get_object (node));
  return TRUE;
}

gboolean
gst_webrtc_room_json_read_bool (JsonObject * obj, const gchar * field,
    gboolean * out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, field);

  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return gst_webrtc_room_json_bad_message (error,
        "field '%s' must be a boolean", field);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gsize
object_serialized_size (JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree gchar *text = NULL;

  json_node_set_object (node, obj);
  text = json_node_to_text (node);
  return strlen (text);
}

/* A ping id is echoed exactly, so it holds no fractional number (json-glib
 * would print it back differently): a string, an integer, a boolean or
 * an array/object of those, small. */
static gboolean
ping_id_is_exact (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObjectIter iter;
      const gchar *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member)) {
        if (!ping_id_is_exact (member))
          return FALSE;
      }
      return TRUE;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *array = json_node_get_array (node);
      guint i;

      for (i = 0; i < json_array_get_length (array); i++) {
        if (!ping_id_is_exact (json_array_get_element (array, i)))
          return FALSE;
      }
      return TRUE;
    }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_DOUBLE;
    case JSON_NODE_NULL:
      return TRUE;
  }
  return FALSE;
}

static gboolean
check_ping_id (JsonNode * id, GError ** error)
{
  g_autofree gchar *text = NULL;

  if (!ping_id_is_exact (id))
    return gst_webrtc_room_json_bad_message (error,
        "field 'id' must be a string, an integer, "
        "a boolean or an array/object of those (no fractions)");
  text = json_node_to_text (id);
  if (strlen (text) > GST_WEBRTC_ROOM_MAX_PING_ID_BYTES)
    return gst_webrtc_room_json_bad_message (error,
        "field 'id' larger than %d bytes serialized",
        GST_WEBRTC_ROOM_MAX_PING_ID_BYTES);
  return TRUE;
}

/* nesting levels of objects/arrays in @node (a scalar: 0); bounded by
 * the pre-scan's depth limit */
static guint
node_depth (JsonNode * node)
{
  guint depth = 0;

  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObjectIter iter;
    const gchar *name;
    JsonNode *member;

    json_object_iter_init_ordered (&iter, json_node_get_object (node));
    while (json_object_iter_next_ordered (&iter, &name, &member))
      depth = MAX (depth, node_depth (member));
    return depth + 1;
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    guint i;

    for (i = 0; i < json_array_get_length (array); i++)
      depth = MAX (depth, node_depth (json_array_get_element (array, i)));
    return depth + 1;
  }
  return 0;
}

static gboolean
read_name_and_meta (JsonObject * obj, gchar ** name, JsonObject ** meta,
    GError ** error)
{
  if (!gst_webrtc_room_json_read_string (obj, "name", TRUE, name, error))
    return FALSE;
  if (*name && !gst_webrtc_room_is_valid_name (*name))
    return gst_webrtc_room_json_bad_message (error,
        "name longer than %d characters", GST_WEBRTC_ROOM_MAX_NAME_CHARS);
  if (!read_object (obj, "meta", TRUE, meta, error))
    return FALSE;
  if (*meta && object_serialized_size (*meta) > GST_WEBRTC_ROOM_MAX_META_BYTES)
    return gst_webrtc_room_json_bad_message (error,
        "meta larger than %d bytes serialized", GST_WEBRTC_ROOM_MAX_META_BYTES);
  /* meta is relayed deeper than it came (welcome.peers[].meta): a join
   * within the frame depth limit must not make welcomes exceed it */
  if (*meta && node_depth (json_object_get_member (obj, "meta")) >
      GST_WEBRTC_ROOM_MAX_META_DEPTH)
    return gst_webrtc_room_json_bad_message (error,
        "meta nested deeper than %d levels", GST_WEBRTC_ROOM_MAX_META_DEPTH);
  return TRUE;
}

static GstWebRTCRoomPeerInfo *
parse_peer_info (JsonNode * node, GError ** error)
{
  g_autoptr (GstWebRTCRoomPeerInfo) info = NULL;
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    gst_webrtc_room_json_bad_message (error, "peer info must be an object");
    return NULL;
  }
  obj = json_node_get_object (node);
  info = g_new0 (GstWebRTCRoomPeerInfo, 1);
  info->offers = TRUE;
  if (!gst_webrtc_room_json_read_string (obj, "id", FALSE, &info->id, error)
      || !read_name_and_meta (obj, &info->name, &info->meta, error)
      || !gst_webrtc_room_json_read_bool (obj, "offers", &info->offers, error))
    return NULL;
  return g_steal_pointer (&info);
}

static gboolean
parse_join (JsonObject * obj, GstWebRTCRoomMessage * msg, GError ** error)
{
  if (!gst_webrtc_room_json_read_string (obj, "room", FALSE, &msg->room, error))
    return FALSE;
  if (!gst_webrtc_room_is_valid_room (msg->room))
    return gst_webrtc_room_json_bad_message (error,
        "room must be 1..64 characters of [A-Za-z0-9_.-]");
  return read_name_and_meta (obj, &msg->name, &msg->meta, error)
      && gst_webrtc_room_json_read_bool (obj, "offers", &msg->offers, error)
      && gst_webrtc_room_json_read_string (obj, "token", TRUE, &msg->token,
      error)
      && gst_webrtc_room_json_read_string (obj, "resume", TRUE, &msg->resume,
      error);
}

static gboolean
parse_signal (JsonObject * obj, GstWebRTCRoomMessage * msg,
    GstWebRTCRoomDirection direction, GError ** error)
{
  if (msg->type == GST_WEBRTC_ROOM_MESSAGE_SIGNAL
      && direction == GST_WEBRTC_ROOM_TO_SERVER
      && !gst_webrtc_room_json_read_string (obj, "to", FALSE, &msg->to, error))
    return FALSE;
  if (direction == GST_WEBRTC_ROOM_TO_CLIENT
      && !gst_webrtc_room_json_read_string (obj, "from", FALSE, &msg->from,
          error))
    return FALSE;
  return read_object (obj, "data", FALSE, &msg->data, error);
}

static gboolean
parse_welcome (JsonObject * obj, GstWebRTCRoomMessage * msg, GError ** error)
{
  JsonNode *node;
  JsonArray *peers;
  guint i;

  node = json_object_get_member (obj, "protocol");
  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return gst_webrtc_room_json_bad_message (error,
        "missing or non-integer field 'protocol'");
  msg->protocol = json_node_get_int (node);

  if (!gst_webrtc_room_json_read_string (obj, "peer", FALSE, &msg->peer, error)
      || !gst_webrtc_room_json_read_string (obj, "room", FALSE, &msg->room,
          error)
      || !gst_webrtc_room_json_read_string (obj, "resume", TRUE, &msg->resume,
          error))
    return FALSE;

  node = json_object_get_member (obj, "peers");
  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    return gst_webrtc_room_json_bad_message (error,
        "missing or non-array field 'peers'");
  peers = json_node_get_array (node);
  msg->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_webrtc_room_peer_info_free);
  for (i = 0; i < json_array_get_length (peers); i++) {
    GstWebRTCRoomPeerInfo *info =
        parse_peer_info (json_array_get_element (peers, i), error);
    if (!info)
      return FALSE;
    g_ptr_array_add (msg->peers, info);
  }

  node = json_object_get_member (obj, "iceServers");
  if (node && !JSON_NODE_HOLDS_NULL (node)) {
    if (!JSON_NODE_HOLDS_ARRAY (node))
      return gst_webrtc_room_json_bad_message (error,
          "field 'iceServers' must be an array");
    msg->ice_servers = json_array_ref (json_node_get_array (node));
  }
  return TRUE;
}

static gboolean
parse_peer_left (JsonObject * obj, GstWebRTCRoomMessage * msg, GError ** error)
{
  g_autofree gchar *reason = NULL;
  guint i;

  if (!gst_webrtc_room_json_read_string (obj, "peer", FALSE, &msg->peer, error)
      || !gst_webrtc_room_json_read_string (obj, "reason", TRUE, &reason,
          error))
    return FALSE;
  msg->reason = GST_WEBRTC_ROOM_LEFT_LEFT;
  for (i = 0; reason && i < G_N_ELEMENTS (left_reasons); i++) {
    if (g_str_equal (reason, left_reasons[i]))
      msg->reason = i;
  }
  return TRUE;
}

static gboolean
parse_error (JsonObject * obj, GstWebRTCRoomMessage * msg, GError ** error)
{
  if (!gst_webrtc_room_json_read_string (obj, "code", FALSE, &msg->code_string,
          error)
      || !gst_webrtc_room_json_read_string (obj, "message", TRUE, &msg->message,
          error)
      || !gst_webrtc_room_json_read_string (obj, "ref", TRUE, &msg->ref, error))
    return FALSE;
  msg->code = gst_webrtc_room_error_from_code (msg->code_string);
  return TRUE;
}

static gboolean
type_allowed (GstWebRTCRoomMessageType type, GstWebRTCRoomDirection direction)
{
  switch (type) {
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
    case GST_WEBRTC_ROOM_MESSAGE_BROADCAST:
      return TRUE;
    case GST_WEBRTC_ROOM_MESSAGE_JOIN:
    case GST_WEBRTC_ROOM_MESSAGE_LEAVE:
    case GST_WEBRTC_ROOM_MESSAGE_PING:
      return direction == GST_WEBRTC_ROOM_TO_SERVER;
    case GST_WEBRTC_ROOM_MESSAGE_INVALID:
      return FALSE;
    default:
      return direction == GST_WEBRTC_ROOM_TO_CLIENT;
  }
}

static GstWebRTCRoomMessageType
type_from_string (const gchar * type, GstWebRTCRoomDirection direction)
{
  guint i;

  for (i = 1; i < G_N_ELEMENTS (type_names); i++) {
    if (g_str_equal (type, type_names[i]))
      return type_allowed (i, direction) ? i : GST_WEBRTC_ROOM_MESSAGE_INVALID;
  }
  return GST_WEBRTC_ROOM_MESSAGE_INVALID;
}

/* Parses @text after checking what json-glib does not: valid UTF-8, no NUL,
 * the strict pre-scan (syntax, nesting depth, lone surrogates). Values the
 * scan found unacceptable (out-of-range numbers) are left in scan->value_error
 * for the caller, which may want the message type first (for the ref).
 * Returns: (transfer full) (nullable): the root node */
static JsonNode *
parse_checked_json (const gchar * text, gsize len, JsonScan * scan,
    gchar ** ref, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;

  /* json-glib stops at an embedded NUL; reject it and invalid UTF-8 here */
  if (!g_utf8_validate_len (text, len, NULL)) {
    g_set_error_literal (error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "frame is not valid UTF-8");
    return NULL;
  }
  if (memchr (text, '\0', len)) {
    g_set_error_literal (error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "frame contains a NUL character");
    return NULL;
  }

  if (!json_scan (scan, text, len)) {
    if (scan->too_deep)
      gst_webrtc_room_json_bad_message (error,
          "JSON nested deeper than %d levels", GST_WEBRTC_ROOM_MAX_JSON_DEPTH);
    else
      g_set_error (error, GST_WEBRTC_ROOM_ERROR,
          GST_WEBRTC_ROOM_ERROR_BAD_JSON, "invalid JSON: %s",
          scan->syntax_error);
    return NULL;
  }

  /* json-glib cannot take these */
  if (scan->lone_surrogate) {
    if (ref && scan->type)
      *ref = g_strndup ((const gchar *) scan->type, scan->type_len);
    gst_webrtc_room_json_bad_message (error, "%s", scan->value_error);
    return NULL;
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, &json_error)) {
    g_set_error (error, GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_BAD_JSON,
        "invalid JSON: %s", json_error->message);
    return NULL;
  }
  return json_parser_steal_root (parser);
}

GstWebRTCRoomMessage *
gst_webrtc_room_message_parse (const gchar * text, gssize len,
    GstWebRTCRoomDirection direction, gchar ** ref, GError ** error)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autofree gchar *type = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *obj;
  GstWebRTCRoomMessageType msg_type;
  gboolean ok = FALSE;
  JsonScan scan;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (ref)
    *ref = NULL;
  if (len < 0)
    len = strlen (text);

  root = parse_checked_json (text, len, &scan, ref, error);
  if (!root)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "frame is not a JSON object");
    return NULL;
  }
  obj = json_node_get_object (root);

  if (!gst_webrtc_room_json_read_string (obj, "type", FALSE, &type, error))
    return NULL;
  if (ref && g_utf8_validate (type, -1, NULL))
    *ref = g_strdup (type);

  /* checked after `type` is known, for the error's ref */
  if (scan.value_error) {
    gst_webrtc_room_json_bad_message (error, "%s", scan.value_error);
    return NULL;
  }

  msg_type = type_from_string (type, direction);
  if (msg_type == GST_WEBRTC_ROOM_MESSAGE_INVALID) {
    g_set_error (error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "unknown message type '%s'", type);
    return NULL;
  }

  msg = gst_webrtc_room_message_new (msg_type);
  switch (msg_type) {
    case GST_WEBRTC_ROOM_MESSAGE_JOIN:
      ok = parse_join (obj, msg, error);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
    case GST_WEBRTC_ROOM_MESSAGE_BROADCAST:
      ok = parse_signal (obj, msg, direction, error);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PING:
    case GST_WEBRTC_ROOM_MESSAGE_PONG:{
      JsonNode *id = json_object_get_member (obj, "id");
      if (id && !JSON_NODE_HOLDS_NULL (id)) {
        ok = check_ping_id (id, error);
        if (ok)
          msg->id = json_node_copy (id);
      } else {
        ok = TRUE;
      }
      break;
    }
    case GST_WEBRTC_ROOM_MESSAGE_LEAVE:
      ok = TRUE;
      break;
    case GST_WEBRTC_ROOM_MESSAGE_WELCOME:
      ok = parse_welcome (obj, msg, error);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED:{
      JsonNode *peer = json_object_get_member (obj, "peer");
      if (!peer)
        ok = gst_webrtc_room_json_bad_message (error, "missing field 'peer'");
      else
        ok = (msg->peer_info = parse_peer_info (peer, error)) != NULL;
      break;
    }
    case GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT:
      ok = parse_peer_left (obj, msg, error);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_ERROR:
      ok = parse_error (obj, msg, error);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_INVALID:
      g_assert_not_reached ();
  }
  if (!ok)
    return NULL;
  return g_steal_pointer (&msg);
}

/* Serialization */

static void
add_string (JsonBuilder * b, const gchar * field, const gchar * value)
{
  if (!value)
    return;
  json_builder_set_member_name (b, field);
  json_builder_add_string_value (b, value);
}

static void
add_object (JsonBuilder * b, const gchar * field, JsonObject * value)
{
  JsonNode *node;

  if (!value)
    return;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, value);
  json_builder_set_member_name (b, field);
  json_builder_add_value (b, node);
}

static void
add_peer_info (JsonBuilder * b, const GstWebRTCRoomPeerInfo * info)
{
  json_builder_begin_object (b);
  add_string (b, "id", info->id);
  add_string (b, "name", info->name);
  add_object (b, "meta", info->meta);
  json_builder_set_member_name (b, "offers");
  json_builder_add_boolean_value (b, info->offers);
  json_builder_end_object (b);
}

static gchar *
builder_to_string (JsonBuilder * b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  return json_node_to_text (root);
}

gchar *
gst_webrtc_room_message_serialize (const GstWebRTCRoomMessage * msg,
    GstWebRTCRoomDirection direction)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  guint i;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (msg->type != GST_WEBRTC_ROOM_MESSAGE_INVALID, NULL);

  json_builder_begin_object (b);
  add_string (b, "type", type_names[msg->type]);

  switch (msg->type) {
    case GST_WEBRTC_ROOM_MESSAGE_JOIN:
      add_string (b, "room", msg->room);
      add_string (b, "name", msg->name);
      add_object (b, "meta", msg->meta);
      if (!msg->offers) {
        json_builder_set_member_name (b, "offers");
        json_builder_add_boolean_value (b, FALSE);
      }
      add_string (b, "token", msg->token);
      add_string (b, "resume", msg->resume);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
    case GST_WEBRTC_ROOM_MESSAGE_BROADCAST:
      if (direction == GST_WEBRTC_ROOM_TO_SERVER)
        add_string (b, "to", msg->to);
      else
        add_string (b, "from", msg->from);
      add_object (b, "data", msg->data);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PING:
    case GST_WEBRTC_ROOM_MESSAGE_PONG:
      if (msg->id) {
        json_builder_set_member_name (b, "id");
        json_builder_add_value (b, json_node_copy (msg->id));
      }
      break;
    case GST_WEBRTC_ROOM_MESSAGE_LEAVE:
      break;
    case GST_WEBRTC_ROOM_MESSAGE_WELCOME:
      json_builder_set_member_name (b, "protocol");
      json_builder_add_int_value (b, msg->protocol);
      add_string (b, "peer", msg->peer);
      add_string (b, "room", msg->room);
      json_builder_set_member_name (b, "peers");
      json_builder_begin_array (b);
      for (i = 0; msg->peers && i < msg->peers->len; i++)
        add_peer_info (b, msg->peers->pdata[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "iceServers");
      if (msg->ice_servers) {
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (node, msg->ice_servers);
        json_builder_add_value (b, node);
      } else {
        json_builder_begin_array (b);
        json_builder_end_array (b);
      }
      add_string (b, "resume", msg->resume);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED:
      json_builder_set_member_name (b, "peer");
      add_peer_info (b, msg->peer_info);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT:
      add_string (b, "peer", msg->peer);
      add_string (b, "reason",
          gst_webrtc_room_peer_left_reason_to_string (msg->reason));
      break;
    case GST_WEBRTC_ROOM_MESSAGE_ERROR:
      add_string (b, "code", msg->code_string ? msg->code_string :
          gst_webrtc_room_error_to_code (msg->code));
      add_string (b, "message", msg->message);
      add_string (b, "ref", msg->ref);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_INVALID:
      g_assert_not_reached ();
  }
  json_builder_end_object (b);
  return builder_to_string (b);
}

gchar *
gst_webrtc_room_build_error (GstWebRTCRoomError code, const gchar * message,
    const gchar * ref)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_ERROR,
    .code = code,.message = (gchar *) message,.ref = (gchar *) ref
  };

  return gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
}

gchar *
gst_webrtc_room_build_signal (const gchar * to_or_from, JsonObject * data,
    GstWebRTCRoomDirection direction)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_SIGNAL,
    .data = data
  };

  if (direction == GST_WEBRTC_ROOM_TO_SERVER)
    msg.to = (gchar *) to_or_from;
  else
    msg.from = (gchar *) to_or_from;
  return gst_webrtc_room_message_serialize (&msg, direction);
}

gchar *
gst_webrtc_room_build_join (const gchar * room, const gchar * name,
    JsonObject * meta, gboolean offers, const gchar * token,
    const gchar * resume)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_JOIN,
    .room = (gchar *) room,.name = (gchar *) name,.meta = meta,
    .offers = offers,.token = (gchar *) token,.resume = (gchar *) resume
  };

  return gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_SERVER);
}

JsonNode *
gst_webrtc_room_json_parse_strict (const gchar * text, gsize len,
    GError ** error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonScan scan;

  root = parse_checked_json (text, len, &scan, NULL, error);
  if (!root)
    return NULL;
  if (scan.value_error) {
    gst_webrtc_room_json_bad_message (error, "%s", scan.value_error);
    return NULL;
  }
  return g_steal_pointer (&root);
}
