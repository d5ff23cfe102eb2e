import type { Executor } from '../db';
import { readSetting } from './repo';

/**
 * The finance department (财政部门) the single-source notices name as a contact (MoF Order No. 74 art. 38: the
 * addresses, contact persons and phones of the purchaser, any agency and the finance department). One deployment
 * serves one department (the provincial one, 浙江省财政厅, by default); the admin sets its address, contact person
 * and phone on the settings page. Until they are set, a case cannot publish its 公示 (the submit step says why).
 */
export interface FinanceDepartment {
  name: string;
  address: string;
  contactPerson: string;
  phone: string;
}

export const FINANCE_DEPARTMENT_KEY = 'finance_department';
export const DEFAULT_FINANCE_DEPARTMENT: FinanceDepartment = { name: '浙江省财政厅', address: '', contactPerson: '', phone: '' };

export async function financeDepartment(db: Executor): Promise<FinanceDepartment> {
  return { ...DEFAULT_FINANCE_DEPARTMENT, ...(await readSetting<Partial<FinanceDepartment>>(db, FINANCE_DEPARTMENT_KEY)) };
}

/** Every item the notice needs is there. */
export const financeDepartmentComplete = (d: FinanceDepartment): boolean => [d.name, d.address, d.contactPerson, d.phone].every((v) => v.trim() !== '');
