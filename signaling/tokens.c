/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Resume and join tokens: an HMAC-SHA256 over a small JSON payload, so
 * that a server restarted with the same secret still accepts them. */

#include "tokens.h"

#include <string.h>
#include <sys/random.h>

#define SHA256_LEN 32
#define SECRET_LEN 32
#define MAX_TOKEN_LEN 2048

gchar *
wr_base64url_encode (const guint8 * data, gsize len)
{
  gchar *text = g_base64_encode (data, len);
  gchar *p;
  gsize n;

  for (p = text; *p; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  }
  n = strlen (text);
  while (n > 0 && text[n - 1] == '=')
    text[--n] = '\0';
  return text;
}

guint8 *
wr_base64url_decode (const gchar * text, gsize * out_len)
{
  gsize len = strlen (text);
  g_autofree gchar *std = NULL;
  gsize i;

  if (len % 4 == 1)
    return NULL;
  std = g_malloc (len + 4);
  for (i = 0; i < len; i++) {
    gchar c = text[i];

    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (!g_ascii_isalnum (c))
      return NULL;
    std[i] = c;
  }
  while (i % 4 != 0)
    std[i++] = '=';
  std[i] = '\0';
  return g_base64_decode (std, out_len);
}

static void
compute_mac (GBytes * secret, const guint8 * data, gsize len,
    guint8 digest[SHA256_LEN])
{
  g_autoptr (GHmac) hmac = NULL;
  gsize digest_len = SHA256_LEN;
  gsize key_len;
  const guint8 *key = g_bytes_get_data (secret, &key_len);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (hmac, data, len);
  g_hmac_get_digest (hmac, digest, &digest_len);
}

static gboolean
equal_constant_time (const guint8 * a, const guint8 * b, gsize len)
{
  guint8 diff = 0;
  gsize i;

  for (i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

gchar *
wr_token_sign (GBytes * secret, JsonObject * payload)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree gchar *json = NULL;
  g_autofree gchar *enc_payload = NULL;
  g_autofree gchar *enc_mac = NULL;
  guint8 digest[SHA256_LEN];

  json_node_set_object (node, payload);
  json = json_to_string (node, FALSE);
  compute_mac (secret, (const guint8 *) json, strlen (json), digest);
  enc_payload = wr_base64url_encode ((const guint8 *) json, strlen (json));
  enc_mac = wr_base64url_encode (digest, sizeof (digest));
  return g_strconcat (enc_payload, ".", enc_mac, NULL);
}

/* Returns the payload when the signature is right and `exp` (unix
 * seconds, mandatory) is in the future. */
JsonObject *
wr_token_verify (GBytes * secret, const gchar * token, gint64 now_s)
{
  g_auto (GStrv) parts = NULL;
  g_autofree guint8 *payload = NULL;
  g_autofree guint8 *mac = NULL;
  g_autoptr (JsonParser) parser = NULL;
  guint8 digest[SHA256_LEN];
  gsize payload_len = 0, mac_len = 0;
  JsonNode *root, *exp;
  JsonObject *obj;

  if (!token || strlen (token) > MAX_TOKEN_LEN)
    return NULL;
  parts = g_strsplit (token, ".", 3);
  if (g_strv_length (parts) != 2)
    return NULL;
  payload = wr_base64url_decode (parts[0], &payload_len);
  mac = wr_base64url_decode (parts[1], &mac_len);
  if (!payload || !mac || mac_len != SHA256_LEN || payload_len == 0)
    return NULL;
  compute_mac (secret, payload, payload_len, digest);
  if (!equal_constant_time (digest, mac, SHA256_LEN))
    return NULL;

  if (!g_utf8_validate_len ((const gchar *) payload, payload_len, NULL))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const gchar *) payload,
          payload_len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  exp = json_object_get_member (obj, "exp");
  if (!exp || !JSON_NODE_HOLDS_VALUE (exp)
      || json_node_get_value_type (exp) != G_TYPE_INT64
      || json_node_get_int (exp) <= now_s)
    return NULL;
  return json_object_ref (obj);
}

static const gchar *
get_string_member (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gchar *
wr_token_new_join (GBytes * secret, const gchar * room, gint64 exp_s)
{
  g_autoptr (JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "room", room);
  json_object_set_int_member (payload, "exp", exp_s);
  return wr_token_sign (secret, payload);
}

gboolean
wr_token_check_join (GBytes * secret, const gchar * token,
    const gchar * room, gint64 now_s)
{
  g_autoptr (JsonObject) payload = wr_token_verify (secret, token, now_s);
  const gchar *token_room;

  if (!payload)
    return FALSE;
  token_room = get_string_member (payload, "room");
  return token_room && (g_str_equal (token_room, "*")
      || g_str_equal (token_room, room));
}

void
wr_resume_token_clear (WrResumeToken * token)
{
  g_clear_pointer (&token->peer, g_free);
  g_clear_pointer (&token->server_id, g_free);
  g_clear_pointer (&token->gen, g_free);
  token->exp = 0;
}

gchar *
wr_token_new_resume (GBytes * secret, const gchar * room, const gchar * peer,
    const gchar * server_id, const gchar * gen, gint64 exp_s)
{
  g_autoptr (JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "room", room);
  json_object_set_string_member (payload, "peer", peer);
  json_object_set_int_member (payload, "exp", exp_s);
  json_object_set_string_member (payload, "srv", server_id);
  json_object_set_string_member (payload, "gen", gen);
  return wr_token_sign (secret, payload);
}

gboolean
wr_token_check_resume (GBytes * secret, const gchar * token,
    const gchar * room, gint64 now_s, WrResumeToken * out)
{
  g_autoptr (JsonObject) payload = wr_token_verify (secret, token, now_s);
  const gchar *token_room, *token_peer, *token_gen;

  memset (out, 0, sizeof (*out));
  if (!payload)
    return FALSE;
  token_room = get_string_member (payload, "room");
  token_peer = get_string_member (payload, "peer");
  token_gen = get_string_member (payload, "gen");
  if (!token_room || !token_peer || !token_gen
      || !g_str_equal (token_room, room))
    return FALSE;
  out->peer = g_strdup (token_peer);
  out->server_id = g_strdup (get_string_member (payload, "srv"));
  out->gen = g_strdup (token_gen);
  out->exp = json_object_get_int_member (payload, "exp");
  return TRUE;
}

/* A secret file holds the secret bytes; surrounding whitespace (a
 * trailing newline from `echo`) is not part of it. */
GBytes *
wr_secret_load (const gchar * path, GError ** error)
{
  g_autofree gchar *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  g_strstrip (contents);
  len = strlen (contents);
  if (len < 16) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "secret in %s is shorter than 16 bytes", path);
    return NULL;
  }
  return g_bytes_new (contents, len);
}

GBytes *
wr_secret_generate (void)
{
  guint8 *buf = g_malloc (SECRET_LEN);
  gsize got = 0;

  while (got < SECRET_LEN) {
    ssize_t n = getrandom (buf + got, SECRET_LEN - got, 0);

    if (n > 0)
      got += n;
  }
  return g_bytes_new_take (buf, SECRET_LEN);
}

/* TURN REST credentials (draft-uberti-behave-turn-rest, coturn's
 * use-auth-secret): the username is "<expiry unix time>:<name>", the
 * password base64(HMAC-SHA1(shared secret, username)). */
gchar *
wr_turn_rest_username (gint64 expiry_s, const gchar * peer)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry_s, peer);
}

gchar *
wr_turn_rest_credential (GBytes * secret, const gchar * username)
{
  g_autoptr (GHmac) hmac = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof (digest);
  gsize len;
  const guint8 *key = g_bytes_get_data (secret, &len);

  hmac = g_hmac_new (G_CHECKSUM_SHA1, key, len);
  g_hmac_update (hmac, (const guchar *) username, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}
