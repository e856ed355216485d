/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Built on libnice's STUN library (stun/stunagent.h). */

#include "stun.h"

#include <stun/stunagent.h>

#define STUN_BUFFER_SIZE 1500

struct _WrStunServer
{
  GSocket *socket;
  GSource *source;
  /* validates leniently (no credentials, FINGERPRINT optional) */
  StunAgent validator;
  /* builds answers with a FINGERPRINT */
  StunAgent responder;
  /* RFC 3489 requests (no magic cookie): libnice sends these for its
   * server-reflexive discovery; answered with a MAPPED-ADDRESS */
  StunAgent classic;
  guint port;
  guint64 n_answered;
};

static const uint16_t known_attributes[] = {
  STUN_ATTRIBUTE_SOFTWARE,
  STUN_ATTRIBUTE_FINGERPRINT,
  STUN_ATTRIBUTE_USERNAME,
  STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
  STUN_ATTRIBUTE_PRIORITY,
  STUN_ATTRIBUTE_USE_CANDIDATE,
  STUN_ATTRIBUTE_ICE_CONTROLLED,
  STUN_ATTRIBUTE_ICE_CONTROLLING,
  0
};

/* Returns the answer's length, 0 when @request must be ignored. */
/* RFC 5389 puts the magic cookie 0x2112A442 after the type and length */
static gboolean
is_classic_request (const guint8 * request, gsize len)
{
  return len >= 20 && !(request[4] == 0x21 && request[5] == 0x12
      && request[6] == 0xA4 && request[7] == 0x42);
}

static gsize
build_answer (WrStunServer * stun, const guint8 * request, gsize len,
    GSocketAddress * from, guint8 * answer)
{
  struct sockaddr_storage addr;
  StunMessage req, resp;
  StunAgent *responder = &stun->responder;
  StunMessageReturn appended;
  uint16_t attr_len;

  if (is_classic_request (request, len)) {
    responder = &stun->classic;
    if (stun_agent_validate (responder, &req, request, len, NULL,
            NULL) != STUN_VALIDATION_SUCCESS)
      return 0;
  } else {
    if (stun_agent_validate (&stun->validator, &req, request, len, NULL,
            NULL) != STUN_VALIDATION_SUCCESS)
      return 0;
    /* FINGERPRINT is optional, but when present it must be right */
    if (stun_message_find (&req, STUN_ATTRIBUTE_FINGERPRINT, &attr_len)
        && stun_agent_validate (&stun->responder, &req, request, len, NULL,
            NULL) != STUN_VALIDATION_SUCCESS)
      return 0;
  }
  if (stun_message_get_class (&req) != STUN_REQUEST
      || stun_message_get_method (&req) != STUN_BINDING)
    return 0;
  if (!g_socket_address_to_native (from, &addr, sizeof (addr), NULL))
    return 0;
  if (!stun_agent_init_response (responder, &resp, answer,
          STUN_BUFFER_SIZE, &req))
    return 0;
  if (responder == &stun->classic)
    appended = stun_message_append_addr (&resp,
        STUN_ATTRIBUTE_MAPPED_ADDRESS, (struct sockaddr *) &addr,
        g_socket_address_get_native_size (from));
  else
    appended = stun_message_append_xor_addr (&resp,
        STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &addr,
        g_socket_address_get_native_size (from));
  if (appended != STUN_MESSAGE_RETURN_SUCCESS)
    return 0;
  return stun_agent_finish_message (responder, &resp, NULL, 0);
}

static gboolean
on_readable (GSocket * socket, GIOCondition condition, gpointer user_data)
{
  WrStunServer *stun = user_data;
  guint8 request[STUN_BUFFER_SIZE];
  guint8 answer[STUN_BUFFER_SIZE];

  for (;;) {
    g_autoptr (GSocketAddress) from = NULL;
    gssize len;
    gsize answer_len;

    len = g_socket_receive_from (socket, &from, (gchar *) request,
        sizeof (request), NULL, NULL);
    if (len < 0)
      break;
    if (!from)
      continue;
    answer_len = build_answer (stun, request, len, from, answer);
    if (answer_len == 0)
      continue;
    if (g_socket_send_to (socket, from, (const gchar *) answer, answer_len,
            NULL, NULL) > 0)
      stun->n_answered++;
  }
  return G_SOURCE_CONTINUE;
}

WrStunServer *
wr_stun_server_new (const gchar * host, guint port, GError ** error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) bind_addr = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  WrStunServer *stun;

  inet = g_inet_address_new_from_string (host);
  if (!inet) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "STUN host must be an IP address, not '%s'", host);
    return NULL;
  }
  socket = g_socket_new (g_inet_address_get_family (inet),
      G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (!socket)
    return NULL;
  bind_addr = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (socket, bind_addr, FALSE, error))
    return NULL;
  local = g_socket_get_local_address (socket, error);
  if (!local)
    return NULL;
  g_socket_set_blocking (socket, FALSE);

  stun = g_new0 (WrStunServer, 1);
  stun->socket = g_steal_pointer (&socket);
  stun->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  stun_agent_init (&stun->validator, known_attributes,
      STUN_COMPATIBILITY_RFC5389, STUN_AGENT_USAGE_IGNORE_CREDENTIALS);
  stun_agent_init (&stun->responder, known_attributes,
      STUN_COMPATIBILITY_RFC5389, STUN_AGENT_USAGE_IGNORE_CREDENTIALS |
      STUN_AGENT_USAGE_USE_FINGERPRINT);
  stun_agent_init (&stun->classic, known_attributes,
      STUN_COMPATIBILITY_RFC3489, STUN_AGENT_USAGE_IGNORE_CREDENTIALS);
  stun->source = g_socket_create_source (stun->socket, G_IO_IN, NULL);
  g_source_set_callback (stun->source, G_SOURCE_FUNC (on_readable), stun, NULL);
  g_source_attach (stun->source, g_main_context_get_thread_default ());
  return stun;
}

guint
wr_stun_server_get_port (WrStunServer * stun)
{
  return stun->port;
}

guint64
wr_stun_server_get_n_answered (WrStunServer * stun)
{
  return stun->n_answered;
}

void
wr_stun_server_free (WrStunServer * stun)
{
  if (!stun)
    return;
  g_source_destroy (stun->source);
  g_source_unref (stun->source);
  g_socket_close (stun->socket, NULL);
  g_object_unref (stun->socket);
  g_free (stun);
}
