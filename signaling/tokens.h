/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS
/* Self-validating tokens:
 *   base64url(payload) "." base64url(HMAC-SHA256(secret, payload))
 * where payload is a compact JSON object. Base64url without padding. */
gchar *wr_token_sign (GBytes * secret, JsonObject * payload);

JsonObject *wr_token_verify (GBytes * secret, const gchar * token,
    gint64 now_s);

gchar *wr_token_new_join (GBytes * secret, const gchar * room, gint64 exp_s);

gboolean wr_token_check_join (GBytes * secret, const gchar * token,
    const gchar * room, gint64 now_s);

/* A resume token names one peer in one room and one generation of it:
 * every welcome gives the peer a new generation, so an older token is
 * superseded (the room handler keeps the current one). */
typedef struct
{
  gchar *peer;
  gchar *server_id;             /* the server instance that issued it */
  gchar *gen;                   /* the peer's resume generation */
  gint64 exp;                   /* unix seconds */
} WrResumeToken;

void wr_resume_token_clear (WrResumeToken * token);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WrResumeToken, wr_resume_token_clear)
     gchar *wr_token_new_resume (GBytes * secret, const gchar * room,
    const gchar * peer, const gchar * server_id, const gchar * gen,
    gint64 exp_s);

/* TRUE when @token is signed with @secret, unexpired, for @room and
 * carries a peer id and a generation; fills @out */
     gboolean wr_token_check_resume (GBytes * secret, const gchar * token,
    const gchar * room, gint64 now_s, WrResumeToken * out);

     gchar *wr_base64url_encode (const guint8 * data, gsize len);

     guint8 *wr_base64url_decode (const gchar * text, gsize * out_len);

     GBytes *wr_secret_load (const gchar * path, GError ** error);

     GBytes *wr_secret_generate (void);

     gchar *wr_turn_rest_username (gint64 expiry_s, const gchar * peer);

     gchar *wr_turn_rest_credential (GBytes * secret, const gchar * username);

G_END_DECLS
