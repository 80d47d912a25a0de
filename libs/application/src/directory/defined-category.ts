import { ValidationError } from '@zhenggai/domain';
import { Directory } from './directory.port';

/** A category named by a finding or a campaign is one the admin defined (the domain checks the text itself). */
export async function requireCategory(directory: Directory, category: unknown, field: string): Promise<void> {
  if (typeof category !== 'string' || category.trim() === '') return;
  if (!(await directory.findCategoryByCode(category.trim()))) {
    throw new ValidationError(field, `category ${category.trim()} is not defined (GET /api/categories)`, 'UNKNOWN_CATEGORY');
  }
}
