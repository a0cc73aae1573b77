import type { DynamicModule, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => Type } | undefined;

/**
 * Every controller class reachable from a module, read from the module metadata alone: nothing is
 * instantiated, so the OpenAPI document can be written without Postgres or Redis (npm run openapi).
 */
export function controllersOf(root: Type | DynamicModule): Type[] {
  const found = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (ref: ModuleRef): void => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef());
    const dynamic = 'module' in ref ? ref : undefined;
    const type = dynamic ? dynamic.module : (ref as Type);
    const metadata = (key: string) => (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    for (const controller of [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])])
      found.add(controller as Type);
    for (const imported of [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])])
      visit(imported as ModuleRef);
    if (dynamic) visit(type);
  };
  visit(root);
  return [...found];
}
