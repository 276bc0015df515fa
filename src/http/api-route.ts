// What a JSON API route is: declared once, as data. Its schemas validate the request,
// serialize the reply, type the handler and describe it in the OpenAPI document; its name
// labels the request counter; `private` puts it behind the bearer token.

import type { TSchema, Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest, RawServerDefault, RouteGenericInterface } from 'fastify';
import type { Request, Result } from '../engine/commands.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import type { Store } from '../store/store.js';
import type { StatsView } from './api-types.js';

/** What every route reads and writes through: the engine's process, never the engine itself. */
export interface ApiContext {
  readonly sequencer: Sequencer;
  readonly store: Store;
  /** Its tape is replaced when the engine is rebuilt from the store: read it each time. */
  readonly market: MarketFeed;
  /** Applies one request through the engine and resolves once it is durable. */
  readonly submit: (request: Request) => Promise<Result[]>;
  readonly stats: () => Promise<StatsView>;
}

export interface RequestSchema {
  readonly params?: TSchema;
  readonly querystring?: TSchema;
  readonly body?: TSchema;
}

/** The request as fastify hands it over once validated, typed from the route's schemas. */
export type ApiRequest<S extends RequestSchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  FastifyRequest['raw'],
  S,
  TypeBoxTypeProvider
>;

export interface ApiRoute<S extends RequestSchema = RequestSchema, R extends TSchema = TSchema> {
  /** For metrics: the route, not the path (ids would make unbounded label sets). */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** fastify's syntax: `/api/orders/:orderId`. */
  readonly url: string;
  /** Whether the route needs the bearer token, when the server has one. */
  readonly private: boolean;
  /** The status of a success. */
  readonly status: 200 | 201;
  readonly doc: {
    readonly operationId: string;
    readonly tags: readonly string[];
    readonly summary: string;
    readonly description?: string;
  };
  readonly request: S;
  readonly reply: R;
  readonly handle: (ctx: ApiContext, request: ApiRequest<S>) => Promise<Static<R>>;
}

/** Infers a route's types from its schemas, then forgets them so routes fit in one list. */
export function apiRoute<S extends RequestSchema, R extends TSchema>(
  route: ApiRoute<S, R>,
): ApiRoute {
  return route as unknown as ApiRoute;
}
